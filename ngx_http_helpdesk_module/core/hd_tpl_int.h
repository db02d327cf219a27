/*
 * The template engine's insides, shared by the compiler (hd_tpl.c) and the
 * renderer (hd_tpl_render.c): templates as arrays of operations.
 */

#ifndef HD_TPL_INT_H
#define HD_TPL_INT_H


#include "hd_tpl.h"


#define HD_TPL_MAX_DEPTH    64      /* nested sections and partials */
#define HD_TPL_MAX_DELIM    16


/* what is written: template text is re-indented after each of its newlines
 * inside an indented partial, data only at the start of a line */
typedef enum {
    HD_TPL_EMIT_TEXT = 0,
    HD_TPL_EMIT_ESCAPED,
    HD_TPL_EMIT_RAW
} hd_tpl_emit_e;


typedef enum {
    HD_TPL_TEXT = 0,
    HD_TPL_VAR,             /* {{name}}: escaped */
    HD_TPL_RAW,             /* {{{name}}}, {{&name}} */
    HD_TPL_SECTION,         /* {{#name}} ... {{/name}} */
    HD_TPL_INVERTED,        /* {{^name}} ... {{/name}} */
    HD_TPL_PARTIAL          /* {{>name}} */
} hd_tpl_op_type_e;


/* a dotted name split into its parts; no parts is the implicit "." */
typedef struct {
    size_t      n;
    hd_str_t   *part;
    uint32_t   *hash;       /* of each part, for hd_val_get_hashed */
} hd_tpl_key_t;


typedef struct {
    hd_tpl_op_type_e   type;
    uint32_t           line;
    uint32_t           end;         /* sections: the op after the close */
    hd_str_t           text;        /* text; partials: the indentation */
    hd_str_t           name;        /* as written, for errors and partials */
    hd_tpl_key_t       key;
    hd_tpl_t          *partial;
} hd_tpl_op_t;


struct hd_tpl_s {
    const char    *name;
    size_t         name_len;
    uint64_t       generation;      /* unique per compiled or folded copy */
    const char    *file;
    hd_tpl_op_t   *ops;
    uint32_t       nops;
    uint32_t       cap;
};


struct hd_tpl_set_s {
    hd_pool_t     *pool;
    hd_tpl_t     **items;
    size_t         n;
    size_t         cap;
};


/* a number no compiled or folded template had before */
uint64_t hd_tpl_new_generation(void);


#endif /* HD_TPL_INT_H */
