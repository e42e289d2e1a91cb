/* yamlx.c - the only file that includes <yaml.h>.
 *
 * libyaml's conventions (1 = success, errors in parser.problem with 0-based
 * marks) are converted here, once, into hp_status codes and 1-based hp_diag
 * marks. The event parser is used rather than yaml_document so that duplicate
 * keys, nesting depth and alias expansion can be checked as they stream by.
 *
 * Layout: tree helpers, the event loader, typed getters, number formatting.
 */
#define _GNU_SOURCE /* strtod_l, newlocale */
#include "yamlx.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <locale.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yaml.h>

#include "mem.h"
#include "status.h"

/* ----------------------------------------------------------------------------
 * Tree helpers
 * ------------------------------------------------------------------------- */

hp_ynode *hp_yaml_node_new(hp_ykind kind, const char *scalar, int line,
                           int col) {
  hp_ynode *n = hp_calloc(1, sizeof *n);
  if (!n)
    return NULL;
  n->kind = kind;
  n->line = line;
  n->col = col;
  if (kind == HP_Y_SCALAR) {
    n->scalar = hp_strdup(scalar ? scalar : "");
    n->plain = 1;
    if (!n->scalar) {
      hp_free(n);
      return NULL;
    }
  }
  return n;
}

void hp_yaml_node_free(hp_ynode *n) {
  if (!n)
    return;
  for (size_t i = 0; i < n->n; i++) {
    hp_yaml_node_free(n->items[i]);
    if (n->keys)
      hp_free(n->keys[i]);
  }
  hp_free(n->items);
  hp_free(n->keys);
  hp_free(n->key_line);
  hp_free(n->key_col);
  hp_free(n->scalar);
  hp_free(n);
}

/* Makes room for one more child. Returns 0 on OOM, leaving n unchanged. */
static int grow(hp_ynode *n) {
  if (n->n < n->cap)
    return 1;
  size_t cap = n->cap ? n->cap * 2 : 4;
  hp_ynode **items = hp_realloc(n->items, cap * sizeof *items);
  if (!items)
    return 0;
  n->items = items;
  if (n->kind == HP_Y_MAP) {
    char **keys = hp_realloc(n->keys, cap * sizeof *keys);
    if (!keys)
      return 0;
    n->keys = keys;
    int *kl = hp_realloc(n->key_line, cap * sizeof *kl);
    if (!kl)
      return 0;
    n->key_line = kl;
    int *kc = hp_realloc(n->key_col, cap * sizeof *kc);
    if (!kc)
      return 0;
    n->key_col = kc;
  }
  n->cap = cap;
  return 1;
}

long hp_yaml_map_index(const hp_ynode *map, const char *key) {
  if (!map || map->kind != HP_Y_MAP)
    return -1;
  for (size_t i = 0; i < map->n; i++)
    if (strcmp(map->keys[i], key) == 0)
      return (long)i;
  return -1;
}

const hp_ynode *hp_yaml_map_get(const hp_ynode *map, const char *key) {
  long i = hp_yaml_map_index(map, key);
  return i < 0 ? NULL : map->items[i];
}

int hp_yaml_map_set(hp_ynode *map, const char *key, hp_ynode *val, int line,
                    int col) {
  long i = hp_yaml_map_index(map, key);
  if (i >= 0) {
    hp_yaml_node_free(map->items[i]);
    map->items[i] = val;
    return HP_OK;
  }
  char *k = hp_strdup(key);
  if (!k || !grow(map)) {
    hp_free(k);
    return HP_ENOMEM;
  }
  map->keys[map->n] = k;
  map->key_line[map->n] = line;
  map->key_col[map->n] = col;
  map->items[map->n++] = val;
  return HP_OK;
}

void hp_yaml_map_remove(hp_ynode *map, const char *key) {
  long i = hp_yaml_map_index(map, key);
  if (i < 0)
    return;
  hp_yaml_node_free(map->items[i]);
  hp_free(map->keys[i]);
  for (size_t j = (size_t)i + 1; j < map->n; j++) {
    map->items[j - 1] = map->items[j];
    map->keys[j - 1] = map->keys[j];
    map->key_line[j - 1] = map->key_line[j];
    map->key_col[j - 1] = map->key_col[j];
  }
  map->n--;
}

int hp_yaml_seq_push(hp_ynode *seq, hp_ynode *val) {
  if (!grow(seq))
    return HP_ENOMEM;
  seq->items[seq->n++] = val;
  return HP_OK;
}

hp_ynode *hp_yaml_node_clone(const hp_ynode *n) {
  hp_ynode *c = hp_yaml_node_new(n->kind, n->scalar, n->line, n->col);
  if (!c)
    return NULL;
  c->plain = n->plain;
  for (size_t i = 0; i < n->n; i++) {
    hp_ynode *item = hp_yaml_node_clone(n->items[i]);
    int rc = item ? HP_OK : HP_ENOMEM;
    if (rc == HP_OK)
      rc = n->kind == HP_Y_MAP ? hp_yaml_map_set(c, n->keys[i], item,
                                                 n->key_line[i], n->key_col[i])
                               : hp_yaml_seq_push(c, item);
    if (rc != HP_OK) {
      hp_yaml_node_free(item);
      hp_yaml_node_free(c);
      return NULL;
    }
  }
  return c;
}

int hp_yaml_is_null(const hp_ynode *n) {
  if (!n || n->kind != HP_Y_SCALAR || !n->plain)
    return 0;
  const char *s = n->scalar;
  return !s[0] || !strcmp(s, "~") || !strcmp(s, "null") || !strcmp(s, "Null") ||
         !strcmp(s, "NULL");
}

const char *hp_yaml_kind_name(hp_ykind k) {
  switch (k) {
  case HP_Y_MAP:
    return "a mapping";
  case HP_Y_SEQ:
    return "a sequence";
  default:
    return "a scalar";
  }
}

static size_t subtree_size(const hp_ynode *n) {
  size_t s = 1;
  for (size_t i = 0; i < n->n; i++)
    s += subtree_size(n->items[i]);
  return s;
}

/* ----------------------------------------------------------------------------
 * The event loader
 * ------------------------------------------------------------------------- */

typedef struct frame {
  hp_ynode *node; /* the open map or sequence */
  char *key;      /* map: the key waiting for its value, or NULL */
  int key_line, key_col;
} frame;

typedef struct anchor {
  char *name;
  hp_ynode *node; /* borrowed: owned by the tree being built */
} anchor;

typedef struct loader {
  const char *file;
  hp_diag *d;
  frame stack[HP_YAML_MAX_DEPTH + 1];
  int depth;
  hp_ynode *root;
  anchor *anchors;
  size_t n_anchors, cap_anchors;
  size_t nodes; /* nodes created, aliases expanded */
} loader;

static int mark_err(loader *L, int status, const yaml_mark_t *m,
                    const char *fmt, const char *arg) {
  char msg[HP_DIAG_MSG_MAX];
  snprintf(msg, sizeof msg, fmt, arg ? arg : "");
  return hp_diag_set(L->d, status, L->file, (int)m->line + 1,
                     (int)m->column + 1, "%s", msg);
}

static int count_nodes(loader *L, size_t more, const yaml_mark_t *m) {
  L->nodes += more;
  if (L->nodes > HP_YAML_MAX_NODES) {
    char lim[32];
    snprintf(lim, sizeof lim, "%d", HP_YAML_MAX_NODES);
    return mark_err(L, HP_ELIMIT, m,
                    "document too large: more than %s nodes after alias "
                    "expansion (limit HP_YAML_MAX_NODES)",
                    lim);
  }
  return HP_OK;
}

static int add_anchor(loader *L, const unsigned char *name, hp_ynode *node) {
  if (!name)
    return HP_OK;
  if (L->n_anchors == L->cap_anchors) {
    size_t cap = L->cap_anchors ? L->cap_anchors * 2 : 8;
    anchor *a = hp_realloc(L->anchors, cap * sizeof *a);
    if (!a)
      return hp_diag_oom(L->d);
    L->anchors = a;
    L->cap_anchors = cap;
  }
  char *s = hp_strdup((const char *)name);
  if (!s)
    return hp_diag_oom(L->d);
  L->anchors[L->n_anchors].name = s;
  L->anchors[L->n_anchors++].node = node;
  return HP_OK;
}

/* Attaches a finished or newly opened node to the current container, or
 * makes it the root. Takes ownership of n in every case (frees on error). */
static int attach(loader *L, hp_ynode *n, const yaml_mark_t *m) {
  if (L->depth == 0) {
    if (L->root) {
      hp_yaml_node_free(n);
      return mark_err(L, HP_EPARSE, m, "malformed YAML: %s",
                      "more than one root node");
    }
    L->root = n;
    return HP_OK;
  }
  frame *f = &L->stack[L->depth - 1];
  int rc;
  if (f->node->kind == HP_Y_SEQ) {
    rc = hp_yaml_seq_push(f->node, n);
  } else {
    rc = hp_yaml_map_set(f->node, f->key, n, f->key_line, f->key_col);
    if (rc == HP_OK) {
      hp_free(f->key);
      f->key = NULL;
    }
  }
  if (rc != HP_OK) {
    hp_yaml_node_free(n);
    return hp_diag_oom(L->d);
  }
  return HP_OK;
}

/* In a map with no pending key, a scalar is a key. */
static int take_key(loader *L, const yaml_event_t *ev) {
  frame *f = &L->stack[L->depth - 1];
  const char *k = (const char *)ev->data.scalar.value;
  const yaml_mark_t *m = &ev->start_mark;
  if (strcmp(k, "<<") == 0 && ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE)
    return mark_err(L, HP_EPARSE, m,
                    "merge keys ('<<') are not supported%s; put shared "
                    "settings under 'defaults:'",
                    "");
  long i = hp_yaml_map_index(f->node, k);
  if (i >= 0) {
    char msg[HP_DIAG_MSG_MAX];
    snprintf(msg, sizeof msg,
             "duplicate key '%.200s' (first given at line %d, column %d)", k,
             f->node->key_line[i], f->node->key_col[i]);
    return hp_diag_set(L->d, HP_EDUP, L->file, (int)m->line + 1,
                       (int)m->column + 1, "%s", msg);
  }
  f->key = hp_strdup(k);
  if (!f->key)
    return hp_diag_oom(L->d);
  f->key_line = (int)m->line + 1;
  f->key_col = (int)m->column + 1;
  return HP_OK;
}

static int is_key_position(const loader *L) {
  if (L->depth == 0)
    return 0;
  const frame *f = &L->stack[L->depth - 1];
  return f->node->kind == HP_Y_MAP && f->key == NULL;
}

/* The YAML core schema's tags hetplan reads; anything else is refused, so
 * that a tag never silently changes what a value means. */
#define CORE_TAG "tag:yaml.org,2002:"

/* Checks a node's tag against its kind. A scalar tagged !!str (or with the
 * non-specific '!') is text: *text is set to 1 and it is never read as a
 * number or a boolean. */
static int check_tag(loader *L, const unsigned char *utag, hp_ykind kind,
                     const yaml_mark_t *m, int *text) {
  const char *tag = (const char *)utag;
  *text = 0;
  if (!tag)
    return HP_OK;
  static const char *const scalar_tags[] = {"str",  "int",  "float",
                                            "bool", "null", NULL};
  size_t cl = strlen(CORE_TAG);
  if (kind == HP_Y_SCALAR && strcmp(tag, "!") == 0) {
    *text = 1;
    return HP_OK;
  }
  if (strncmp(tag, CORE_TAG, cl) == 0) {
    const char *t = tag + cl;
    if (kind == HP_Y_MAP && strcmp(t, "map") == 0)
      return HP_OK;
    if (kind == HP_Y_SEQ && strcmp(t, "seq") == 0)
      return HP_OK;
    for (const char *const *a = scalar_tags; kind == HP_Y_SCALAR && *a; a++)
      if (strcmp(t, *a) == 0) {
        *text = a == scalar_tags;
        return HP_OK;
      }
    char msg[HP_DIAG_MSG_MAX];
    snprintf(msg, sizeof msg,
             "the tag '!!%.100s' does not fit %s (the tags read here are "
             "!!str, !!int, !!float, !!bool and !!null on scalars, !!map and "
             "!!seq)",
             t, hp_yaml_kind_name(kind));
    return hp_diag_set(L->d, HP_ETYPE, L->file, (int)m->line + 1,
                       (int)m->column + 1, "%s", msg);
  }
  return mark_err(L, HP_ETYPE, m,
                  "unknown tag '%.100s' (the tags read here are !!str, "
                  "!!int, !!float, !!bool, !!null, !!map and !!seq)",
                  tag);
}

static int on_event(loader *L, yaml_event_t *ev, int *done) {
  const yaml_mark_t *m = &ev->start_mark;
  int rc;
  switch (ev->type) {
  case YAML_STREAM_START_EVENT:
  case YAML_DOCUMENT_END_EVENT:
  case YAML_NO_EVENT:
    return HP_OK;
  case YAML_STREAM_END_EVENT:
    *done = 1;
    return HP_OK;
  case YAML_DOCUMENT_START_EVENT:
    if (L->root)
      return mark_err(L, HP_EPARSE, m,
                      "malformed YAML: %sonly one document per file is "
                      "allowed",
                      "");
    return HP_OK;
  case YAML_SCALAR_EVENT: {
    if (ev->data.scalar.length > HP_YAML_MAX_SCALAR) {
      char lim[32];
      snprintf(lim, sizeof lim, "%u", HP_YAML_MAX_SCALAR);
      return mark_err(L, HP_ELIMIT, m,
                      "scalar longer than %s bytes (limit "
                      "HP_YAML_MAX_SCALAR)",
                      lim);
    }
    /* A "\0" escape: every string may end up printed (names in a report,
     * keys in a message), and C strings would cut it short there. */
    if (memchr(ev->data.scalar.value, '\0', ev->data.scalar.length))
      return mark_err(L, HP_EPARSE, m,
                      "a NUL character ('\\0') in a %s is not allowed "
                      "(names are printed, and it would cut them short)",
                      is_key_position(L) ? "key" : "value");
    int text;
    if ((rc = check_tag(L, ev->data.scalar.tag, HP_Y_SCALAR, m, &text)) !=
        HP_OK)
      return rc;
    if (is_key_position(L))
      return take_key(L, ev);
    if ((rc = count_nodes(L, 1, m)) != HP_OK)
      return rc;
    hp_ynode *n =
        hp_yaml_node_new(HP_Y_SCALAR, (const char *)ev->data.scalar.value,
                         (int)m->line + 1, (int)m->column + 1);
    if (!n)
      return hp_diag_oom(L->d);
    n->plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE && !text;
    if ((rc = add_anchor(L, ev->data.scalar.anchor, n)) != HP_OK) {
      hp_yaml_node_free(n);
      return rc;
    }
    return attach(L, n, m);
  }
  case YAML_MAPPING_START_EVENT:
  case YAML_SEQUENCE_START_EVENT: {
    if (is_key_position(L))
      return mark_err(L, HP_EPARSE, m, "malformed YAML: %s",
                      "a mapping key must be a plain scalar");
    if (L->depth >= HP_YAML_MAX_DEPTH) {
      char lim[32];
      snprintf(lim, sizeof lim, "%d", HP_YAML_MAX_DEPTH);
      return mark_err(L, HP_ELIMIT, m,
                      "nesting deeper than %s levels (limit "
                      "HP_YAML_MAX_DEPTH)",
                      lim);
    }
    if ((rc = count_nodes(L, 1, m)) != HP_OK)
      return rc;
    int is_map = ev->type == YAML_MAPPING_START_EVENT;
    int text;
    if ((rc = check_tag(L,
                        is_map ? ev->data.mapping_start.tag
                               : ev->data.sequence_start.tag,
                        is_map ? HP_Y_MAP : HP_Y_SEQ, m, &text)) != HP_OK)
      return rc;
    hp_ynode *n = hp_yaml_node_new(is_map ? HP_Y_MAP : HP_Y_SEQ, NULL,
                                   (int)m->line + 1, (int)m->column + 1);
    if (!n)
      return hp_diag_oom(L->d);
    const unsigned char *anc =
        is_map ? ev->data.mapping_start.anchor : ev->data.sequence_start.anchor;
    if ((rc = attach(L, n, m)) != HP_OK)
      return rc;
    if ((rc = add_anchor(L, anc, n)) != HP_OK)
      return rc;
    L->stack[L->depth].node = n;
    L->stack[L->depth].key = NULL;
    L->depth++;
    return HP_OK;
  }
  case YAML_MAPPING_END_EVENT:
  case YAML_SEQUENCE_END_EVENT:
    if (L->depth > 0) {
      L->depth--;
      hp_free(L->stack[L->depth].key);
      L->stack[L->depth].key = NULL;
    }
    return HP_OK;
  case YAML_ALIAS_EVENT: {
    const char *name = (const char *)ev->data.alias.anchor;
    hp_ynode *target = NULL;
    for (size_t i = L->n_anchors; i-- > 0;)
      if (strcmp(L->anchors[i].name, name) == 0) {
        target = L->anchors[i].node;
        break;
      }
    if (!target)
      return mark_err(L, HP_EPARSE, m, "malformed YAML: unknown alias '*%s'",
                      name);
    for (int i = 0; i < L->depth; i++)
      if (L->stack[i].node == target)
        return mark_err(L, HP_EPARSE, m,
                        "malformed YAML: alias '*%s' refers to a node that "
                        "contains it",
                        name);
    if (is_key_position(L))
      return mark_err(L, HP_EPARSE, m, "malformed YAML: %s",
                      "a mapping key must be a plain scalar");
    if ((rc = count_nodes(L, subtree_size(target), m)) != HP_OK)
      return rc;
    hp_ynode *copy = hp_yaml_node_clone(target);
    if (!copy)
      return hp_diag_oom(L->d);
    return attach(L, copy, m);
  }
  }
  return HP_OK;
}

int hp_yaml_parse(const char *text, size_t len, const char *name,
                  hp_ynode **out, hp_diag *d) {
  loader L;
  memset(&L, 0, sizeof L);
  L.file = name;
  L.d = d;
  int rc = HP_OK;
  if (len > HP_YAML_MAX_BYTES)
    return hp_diag_set(d, HP_ELIMIT, name, 0, 0,
                       "file larger than %u bytes (limit HP_YAML_MAX_BYTES)",
                       HP_YAML_MAX_BYTES);
  yaml_parser_t parser;
  if (!yaml_parser_initialize(&parser))
    return hp_diag_oom(d);
  yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
  int done = 0;
  while (!done) {
    yaml_event_t ev;
    if (!yaml_parser_parse(&parser, &ev)) {
      if (parser.error == YAML_MEMORY_ERROR) {
        rc = hp_diag_oom(d);
      } else {
        char msg[HP_DIAG_MSG_MAX];
        if (parser.context)
          snprintf(msg, sizeof msg, "malformed YAML: %s %s", parser.problem,
                   parser.context);
        else
          snprintf(msg, sizeof msg, "malformed YAML: %s",
                   parser.problem ? parser.problem : "parse error");
        rc = hp_diag_set(d, HP_EPARSE, name, (int)parser.problem_mark.line + 1,
                         (int)parser.problem_mark.column + 1, "%s", msg);
      }
      break;
    }
    rc = on_event(&L, &ev, &done);
    yaml_event_delete(&ev);
    if (rc != HP_OK)
      break;
  }
  yaml_parser_delete(&parser);
  for (int i = 0; i < L.depth; i++)
    hp_free(L.stack[i].key);
  for (size_t i = 0; i < L.n_anchors; i++)
    hp_free(L.anchors[i].name);
  hp_free(L.anchors);
  if (rc == HP_OK && (!L.root || (L.root->kind == HP_Y_SCALAR &&
                                  L.root->plain && !L.root->scalar[0]))) {
    rc = hp_diag_set(d, HP_EEMPTY, name, 1, 1,
                     "file is empty: expected a YAML mapping");
  }
  if (rc != HP_OK) {
    hp_yaml_node_free(L.root);
    return rc;
  }
  *out = L.root;
  return HP_OK;
}

/* What a file that is not a regular file is, for the message. */
static const char *kind_of(mode_t m) {
  if (S_ISDIR(m))
    return "a directory";
  if (S_ISFIFO(m))
    return "a FIFO (named pipe)";
  if (S_ISSOCK(m))
    return "a socket";
  if (S_ISCHR(m))
    return "a character device";
  if (S_ISBLK(m))
    return "a block device";
  return "a special file";
}

int hp_yaml_read_file(const char *path, size_t max_bytes, char **out,
                      size_t *len, hp_diag *d) {
  /* O_NONBLOCK: opening a FIFO for reading waits for a writer, forever
   * when there is none; non-blocking, the open returns at once and fstat
   * refuses it. Only regular files are read (a device such as /dev/zero
   * would never end, a directory gives EISDIR only at the first read). */
  int fd;
  do
    fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
  while (fd < 0 && errno == EINTR);
  if (fd < 0) {
    if (errno == ELOOP)
      return hp_diag_set(d, HP_EIO, path, 0, 0,
                         "cannot open: a loop of symbolic links (a link "
                         "leads back to itself, or through too many "
                         "others)");
    return hp_diag_set(d, HP_EIO, path, 0, 0, "cannot open: %s",
                       strerror(errno));
  }
  struct stat st;
  if (fstat(fd, &st) != 0) {
    int e = errno;
    close(fd);
    return hp_diag_set(d, HP_EIO, path, 0, 0, "cannot open: %s", strerror(e));
  }
  if (!S_ISREG(st.st_mode)) {
    close(fd);
    return hp_diag_set(d, HP_EIO, path, 0, 0,
                       "is %s, not a regular file: expected a YAML file",
                       kind_of(st.st_mode));
  }
  /* A regular file never blocks; reads need no O_NONBLOCK. */
  (void)fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
  char *data = NULL;
  size_t n = 0, cap = 0;
  int rc = HP_OK;
  for (;;) {
    if (n == cap) {
      if (cap > max_bytes) {
        rc = hp_diag_set(d, HP_ELIMIT, path, 0, 0, "file larger than %zu bytes",
                         max_bytes);
        goto out;
      }
      size_t ncap = cap ? cap * 2 : 8192;
      char *p = hp_realloc(data, ncap + 1);
      if (!p) {
        rc = hp_diag_oom(d);
        goto out;
      }
      data = p;
      cap = ncap;
    }
    ssize_t got = read(fd, data + n, cap - n);
    if (got < 0) {
      if (errno == EINTR)
        continue;
      rc =
          hp_diag_set(d, HP_EIO, path, 0, 0, "read error: %s", strerror(errno));
      break;
    }
    if (got == 0)
      break;
    n += (size_t)got;
  }
  if (rc == HP_OK && n > max_bytes)
    rc = hp_diag_set(d, HP_ELIMIT, path, 0, 0, "file larger than %zu bytes",
                     max_bytes);
out:
  close(fd);
  if (rc != HP_OK) {
    hp_free(data);
    return rc;
  }
  if (!data) {
    data = hp_malloc(1);
    if (!data)
      return hp_diag_oom(d);
  }
  data[n] = '\0';
  *out = data;
  *len = n;
  return HP_OK;
}

int hp_yaml_load_file(const char *path, hp_ynode **out, hp_diag *d) {
  char *text;
  size_t len;
  int rc = hp_yaml_read_file(path, HP_YAML_MAX_BYTES, &text, &len, d);
  if (rc != HP_OK)
    return rc;
  rc = hp_yaml_parse(text, len, path, out, d);
  hp_free(text);
  return rc;
}

/* ----------------------------------------------------------------------------
 * Key checks and typed getters
 * ------------------------------------------------------------------------- */

size_t hp_yaml_levenshtein(const char *a, const char *b) {
  size_t la = strlen(a), lb = strlen(b);
  if (la > 64 || lb > 64)
    return (size_t)-1;
  size_t row[65];
  for (size_t j = 0; j <= lb; j++)
    row[j] = j;
  for (size_t i = 1; i <= la; i++) {
    size_t prev = row[0];
    row[0] = i;
    for (size_t j = 1; j <= lb; j++) {
      size_t cur = row[j];
      size_t cost =
          tolower((unsigned char)a[i - 1]) == tolower((unsigned char)b[j - 1])
              ? 0
              : 1;
      size_t best = prev + cost;
      if (row[j] + 1 < best)
        best = row[j] + 1;
      if (row[j - 1] + 1 < best)
        best = row[j - 1] + 1;
      row[j] = best;
      prev = cur;
    }
  }
  return row[lb];
}

int hp_yaml_check_keys(const hp_ynode *map, const char *const *allowed,
                       const char *where, const char *file, hp_diag *d) {
  for (size_t i = 0; i < map->n; i++) {
    const char *k = map->keys[i];
    const char *const *a = allowed;
    while (*a && strcmp(*a, k) != 0)
      a++;
    if (*a)
      continue;
    /* Unknown: only now look for the nearest allowed key. */
    const char *best = NULL;
    size_t best_dist = (size_t)-1;
    for (a = allowed; *a; a++) {
      size_t dist = hp_yaml_levenshtein(k, *a);
      if (dist < best_dist) {
        best_dist = dist;
        best = *a;
      }
    }
    size_t klen = strlen(k);
    if (best && best_dist <= (klen > 6 ? 3u : 2u))
      return hp_diag_set(d, HP_EKEY, file, map->key_line[i], map->key_col[i],
                         "%s: unknown key '%.200s' (did you mean '%s'?)", where,
                         k, best);
    return hp_diag_set(d, HP_EKEY, file, map->key_line[i], map->key_col[i],
                       "%s: unknown key '%.200s'", where, k);
  }
  return HP_OK;
}

static int looks_nonfinite(const char *s) {
  const char *p = s;
  if (*p == '+' || *p == '-')
    p++;
  if (*p == '.')
    p++;
  return strcasecmp(p, "inf") == 0 || strcasecmp(p, "infinity") == 0 ||
         strcasecmp(p, "nan") == 0;
}

int hp_yaml_get_number(const hp_ynode *n, const char *key, const char *file,
                       double *out, hp_diag *d) {
  if (n->kind != HP_Y_SCALAR)
    return hp_diag_set(d, HP_ETYPE, file, n->line, n->col,
                       "%s: expected a number, got %s", key,
                       hp_yaml_kind_name(n->kind));
  if (!n->scalar[0])
    return hp_diag_set(d, HP_ETYPE, file, n->line, n->col,
                       "%s: expected a number, got nothing", key);
  if (looks_nonfinite(n->scalar))
    return hp_diag_set(d, HP_ERANGE, file, n->line, n->col,
                       "%s: expected a finite number, got '%.100s'", key,
                       n->scalar);
  double v;
  if (!n->plain || !hp_fmt_parse_number(n->scalar, &v))
    return hp_diag_set(d, HP_ETYPE, file, n->line, n->col,
                       "%s: expected a number, got %s'%.100s'", key,
                       n->plain ? "" : "the string ", n->scalar);
  *out = v;
  return HP_OK;
}

int hp_yaml_get_number_in(const hp_ynode *n, const char *key, const char *file,
                          hp_numrange r, double *out, hp_diag *d) {
  double v;
  int rc = hp_yaml_get_number(n, key, file, &v, d);
  if (rc != HP_OK)
    return rc;
  const char *want = NULL;
  if (fabs(v) > HP_YAML_MAX_MAGNITUDE) {
    char buf[40];
    return hp_diag_set(d, HP_ERANGE, file, n->line, n->col,
                       "%s: expected a magnitude of at most 1e18 (limit "
                       "HP_YAML_MAX_MAGNITUDE), got %s",
                       key, hp_fmt_number(v, buf, sizeof buf));
  }
  switch (r) {
  case HP_NUM_ANY:
    break;
  case HP_NUM_POSITIVE:
    if (!(v > 0))
      want = "a number > 0";
    break;
  case HP_NUM_NONNEG:
    if (!(v >= 0))
      want = "a number >= 0";
    break;
  case HP_NUM_FRACTION:
    if (!(v >= 0 && v <= 1))
      want = "a fraction between 0 and 1";
    break;
  case HP_NUM_UNIT_OPEN:
    if (!(v > 0 && v <= 1))
      want = "a fraction > 0 and <= 1";
    break;
  case HP_NUM_GE1:
    if (!(v >= 1))
      want = "a number >= 1";
    break;
  }
  if (want) {
    char buf[40];
    return hp_diag_set(d, HP_ERANGE, file, n->line, n->col,
                       "%s: expected %s, got %s", key, want,
                       hp_fmt_number(v, buf, sizeof buf));
  }
  *out = v;
  return HP_OK;
}

int hp_yaml_get_bool(const hp_ynode *n, const char *key, const char *file,
                     int *out, hp_diag *d) {
  if (n->kind == HP_Y_SCALAR && n->plain) {
    const char *s = n->scalar;
    if (!strcasecmp(s, "true") || !strcasecmp(s, "yes") ||
        !strcasecmp(s, "on")) {
      *out = 1;
      return HP_OK;
    }
    if (!strcasecmp(s, "false") || !strcasecmp(s, "no") ||
        !strcasecmp(s, "off")) {
      *out = 0;
      return HP_OK;
    }
  }
  if (n->kind != HP_Y_SCALAR)
    return hp_diag_set(d, HP_ETYPE, file, n->line, n->col,
                       "%s: expected true or false, got %s", key,
                       hp_yaml_kind_name(n->kind));
  return hp_diag_set(d, HP_ETYPE, file, n->line, n->col,
                     "%s: expected true or false, got '%.100s'", key,
                     n->scalar);
}

int hp_yaml_get_string(const hp_ynode *n, const char *key, const char *file,
                       const char **out, hp_diag *d) {
  if (n->kind != HP_Y_SCALAR)
    return hp_diag_set(d, HP_ETYPE, file, n->line, n->col,
                       "%s: expected a string, got %s", key,
                       hp_yaml_kind_name(n->kind));
  if (!n->scalar[0])
    return hp_diag_set(d, HP_ETYPE, file, n->line, n->col,
                       "%s: expected a string, got nothing", key);
  *out = n->scalar;
  return HP_OK;
}
