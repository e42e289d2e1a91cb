/* yamlx.h - YAML documents as owned trees with source marks.
 *
 * yamlx.c is the only file that includes <yaml.h>. It reads a document with
 * libyaml's event parser into an hp_ynode tree whose strings are all copied,
 * refusing duplicate keys, merge keys, tags other than the core schema's,
 * NUL characters in strings and anything over the limits below (alias
 * expansion, nesting depth, scalar length), each with a message that names
 * file:line:column. A scalar tagged !!str is text, never a number. Typed
 * getters convert scalars locale-independently.
 */
#ifndef HP_YAMLX_H
#define HP_YAMLX_H

#include <stddef.h>

#include "hetplan.h"
#include "numfmt.h" /* hp_fmt_parse_number, hp_fmt_number */

/* Limits on hostile input; each has its own error message (docs/limits.md). */
#define HP_YAML_MAX_BYTES (16u * 1024u * 1024u) /* file size */
#define HP_YAML_MAX_DEPTH 64                    /* nested maps/sequences */
#define HP_YAML_MAX_SCALAR (64u * 1024u)        /* bytes in one scalar */
#define HP_YAML_MAX_NODES 200000 /* nodes after alias expansion */
/* Largest magnitude of a number read through hp_yaml_get_number_in: far above
 * any real input (Doubao's 4e12 tokens/day, 1.3e11 parameters, 8e10 CNY),
 * low enough that every derived figure stays printable. */
#define HP_YAML_MAX_MAGNITUDE 1e18

typedef enum { HP_Y_SCALAR = 0, HP_Y_MAP, HP_Y_SEQ } hp_ykind;

typedef struct hp_ynode hp_ynode;
struct hp_ynode {
  hp_ykind kind; /* scalar, map or sequence */
  int line;      /* 1-based line of the node's start */
  int col;       /* 1-based column of the node's start */
  char *scalar;  /* scalar text (owned); NULL for maps and sequences */
  int plain;     /* 1 for an unquoted, untagged-as-text scalar (may be a
                    number or a boolean); 0 when quoted or tagged !!str */
  size_t n;      /* children */
  size_t cap;    /* allocated children */
  char **keys;   /* map keys (owned), n of them; NULL for sequences */
  int *key_line; /* map key positions, 1-based */
  int *key_col;
  hp_ynode **items; /* map values or sequence items (owned) */
};

/* Parses a YAML document from memory. `name` is the file name used in
 * diagnostics. An empty document is HP_EEMPTY. Sets *out (caller frees with
 * hp_yaml_node_free) only on success. */
int hp_yaml_parse(const char *text, size_t len, const char *name,
                  hp_ynode **out, hp_diag *d);
/* Reads a file and parses it (same contract). */
int hp_yaml_load_file(const char *path, hp_ynode **out, hp_diag *d);
/* Reads a whole regular file into memory (caller frees with hp_free).
 * Anything else (a FIFO, a device, a directory, a socket) is refused with
 * HP_EIO naming it, without blocking; so is a loop of symbolic links. */
int hp_yaml_read_file(const char *path, size_t max_bytes, char **out,
                      size_t *len, hp_diag *d);

void hp_yaml_node_free(hp_ynode *n);
/* Deep copy; NULL on OOM. */
hp_ynode *hp_yaml_node_clone(const hp_ynode *n);
/* A new empty map/sequence or a scalar at the given mark; NULL on OOM. */
hp_ynode *hp_yaml_node_new(hp_ykind kind, const char *scalar, int line,
                           int col);
/* Appends or replaces key in a map; takes ownership of val on success only. */
int hp_yaml_map_set(hp_ynode *map, const char *key, hp_ynode *val, int line,
                    int col);
/* Removes a key from a map (frees its value); no-op if absent. */
void hp_yaml_map_remove(hp_ynode *map, const char *key);
/* Appends to a sequence; takes ownership of val on success only. */
int hp_yaml_seq_push(hp_ynode *seq, hp_ynode *val);

/* Map lookup; NULL if absent or if map is not a map. */
const hp_ynode *hp_yaml_map_get(const hp_ynode *map, const char *key);
/* Index of key in map, or -1. */
long hp_yaml_map_index(const hp_ynode *map, const char *key);

/* Whether n is YAML's null: a plain scalar that is empty ("key:" with
 * nothing after it, or every child commented out), "~" or "null". Where a
 * mapping is expected, a null reads as an empty mapping. */
int hp_yaml_is_null(const hp_ynode *n);

/* Kind name for messages: "a mapping", "a sequence", "a scalar". */
const char *hp_yaml_kind_name(hp_ykind k);

/* Checks that every key of `map` is in `allowed` (NULL-terminated). An
 * unknown key gives HP_EKEY with "unknown key 'x' in <where> (did you mean
 * 'y'?)" at the key's mark. */
int hp_yaml_check_keys(const hp_ynode *map, const char *const *allowed,
                       const char *where, const char *file, hp_diag *d);

/* Typed scalar conversions. Each fails with a message naming `key` and the
 * node's mark in `file`, and leaves *out untouched. */
int hp_yaml_get_number(const hp_ynode *n, const char *key, const char *file,
                       double *out, hp_diag *d);
int hp_yaml_get_bool(const hp_ynode *n, const char *key, const char *file,
                     int *out, hp_diag *d);
/* Borrowed string: valid while n lives. */
int hp_yaml_get_string(const hp_ynode *n, const char *key, const char *file,
                       const char **out, hp_diag *d);

/* Range classes for numbers. */
typedef enum {
  HP_NUM_ANY = 0,   /* any finite number */
  HP_NUM_POSITIVE,  /* > 0 */
  HP_NUM_NONNEG,    /* >= 0 */
  HP_NUM_FRACTION,  /* 0 <= x <= 1 */
  HP_NUM_UNIT_OPEN, /* 0 < x <= 1 */
  HP_NUM_GE1        /* >= 1 */
} hp_numrange;

/* hp_yaml_get_number plus a range check with a message saying what was
 * expected ("expected a number > 0, got -3"). */
int hp_yaml_get_number_in(const hp_ynode *n, const char *key, const char *file,
                          hp_numrange r, double *out, hp_diag *d);

/* Edit distance, for did-you-mean suggestions. */
size_t hp_yaml_levenshtein(const char *a, const char *b);

#endif
