/* ocl_err.c - the one place where OpenCL's cl_int and CLBlast's
 * CLBlastStatusCode (which reuses the CL values and adds its own below
 * -1000) become names and hp_status codes. Nothing else in the backend
 * interprets an error number. */
#include <stdio.h>
#include <string.h>

#include "ocl.h"
#include "status.h"

#define HP_OCL_ERR_MAP(XX)                                                     \
  XX(0, "CL_SUCCESS", HP_OK)                                                   \
  XX(-1, "CL_DEVICE_NOT_FOUND", HP_ENODEV)                                     \
  XX(-2, "CL_DEVICE_NOT_AVAILABLE", HP_EBACKEND)                               \
  XX(-3, "CL_COMPILER_NOT_AVAILABLE", HP_ENOTSUP)                              \
  XX(-4, "CL_MEM_OBJECT_ALLOCATION_FAILURE", HP_ELIMIT)                        \
  XX(-5, "CL_OUT_OF_RESOURCES", HP_ELIMIT)                                     \
  XX(-6, "CL_OUT_OF_HOST_MEMORY", HP_ENOMEM)                                   \
  XX(-7, "CL_PROFILING_INFO_NOT_AVAILABLE", HP_EBACKEND)                       \
  XX(-11, "CL_BUILD_PROGRAM_FAILURE", HP_EBACKEND)                             \
  XX(-30, "CL_INVALID_VALUE", HP_EINVAL)                                       \
  XX(-32, "CL_INVALID_PLATFORM", HP_EINVAL)                                    \
  XX(-33, "CL_INVALID_DEVICE", HP_EINVAL)                                      \
  XX(-34, "CL_INVALID_CONTEXT", HP_EINVAL)                                     \
  XX(-36, "CL_INVALID_COMMAND_QUEUE", HP_EINVAL)                               \
  XX(-38, "CL_INVALID_MEM_OBJECT", HP_EINVAL)                                  \
  XX(-43, "CL_INVALID_BUILD_OPTIONS", HP_EINVAL)                               \
  XX(-44, "CL_INVALID_PROGRAM", HP_EINVAL)                                     \
  XX(-45, "CL_INVALID_PROGRAM_EXECUTABLE", HP_EBACKEND)                        \
  XX(-46, "CL_INVALID_KERNEL_NAME", HP_EINVAL)                                 \
  XX(-48, "CL_INVALID_KERNEL", HP_EINVAL)                                      \
  XX(-52, "CL_INVALID_KERNEL_ARGS", HP_EINVAL)                                 \
  XX(-54, "CL_INVALID_WORK_GROUP_SIZE", HP_EINVAL)                             \
  XX(-55, "CL_INVALID_WORK_ITEM_SIZE", HP_EINVAL)                              \
  XX(-58, "CL_INVALID_EVENT", HP_EINVAL)                                       \
  XX(-59, "CL_INVALID_OPERATION", HP_ENOTSUP)                                  \
  XX(-61, "CL_INVALID_BUFFER_SIZE", HP_ELIMIT)                                 \
  XX(-63, "CL_INVALID_GLOBAL_WORK_SIZE", HP_EINVAL)                            \
  XX(-1001, "CL_PLATFORM_NOT_FOUND_KHR", HP_ENODEV)                            \
  XX(-1024, "CLBlastNotImplemented", HP_ENOTSUP)                               \
  XX(-1017, "CLBlastInvalidDimension", HP_EINVAL)                              \
  XX(-1011, "CLBlastInsufficientMemoryA", HP_EINVAL)                           \
  XX(-1010, "CLBlastInsufficientMemoryB", HP_EINVAL)                           \
  XX(-1009, "CLBlastInsufficientMemoryC", HP_EINVAL)                           \
  XX(-2046, "CLBlastInvalidLocalMemUsage", HP_ENOTSUP)                         \
  XX(-2045, "CLBlastNoHalfPrecision", HP_ENOTSUP)                              \
  XX(-2044, "CLBlastNoDoublePrecision", HP_ENOTSUP)                            \
  XX(-2041, "CLBlastDatabaseError", HP_EBACKEND)                               \
  XX(-2040, "CLBlastUnknownError", HP_EBACKEND)                                \
  XX(-2039, "CLBlastUnexpectedError", HP_EBACKEND)

const char *hp_ocl_err_name(int code) {
  static char unknown[32];
  switch (code) {
#define XX(value, name, st)                                                    \
  case value:                                                                  \
    return name;
    HP_OCL_ERR_MAP(XX)
#undef XX
  }
  snprintf(unknown, sizeof unknown, "error %d", code);
  return unknown;
}

int hp_ocl_status(int code) {
  switch (code) {
#define XX(value, name, st)                                                    \
  case value:                                                                  \
    return st;
    HP_OCL_ERR_MAP(XX)
#undef XX
  }
  return HP_EBACKEND;
}

int hp_ocl_fail(hp_diag *d, int code, const char *what) {
  return hp_diag_set(d, hp_ocl_status(code), NULL, 0, 0, "%s: %s (%d)", what,
                     hp_ocl_err_name(code), code);
}

void hp_ocl_result_error(hp_bench_result *r, int code, const char *what) {
  r->status = HP_BENCH_ERROR;
  r->value = 0;
  snprintf(r->reason, sizeof r->reason, "%s: %s (%d)", what,
           hp_ocl_err_name(code), code);
}
