/* version.c - the library's version at run time, for a program that wants
 * to know which libhetplan it was loaded with (HP_VERSION_* tell the one it
 * was compiled against). Nothing here allocates. */
#include "hetplan.h"

unsigned hp_version(void) { return HP_VERSION_HEX; }

const char *hp_version_string(void) { return HP_VERSION; }
