/*
 * The template engine's compiler: source to operations, with the
 * specification's standalone-line rules; sets of templates, their partials
 * linked, and sets folded with data every render has (a catalogue).
 */

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "hd_buf.h"
#include "hd_tpl_int.h"


typedef struct {
    hd_pool_t     *pool;
    hd_tpl_t      *tpl;
    hd_err_t      *err;
    const hd_uchar *src;
    size_t         len;
    char           open[HD_TPL_MAX_DELIM];
    char           close[HD_TPL_MAX_DELIM];
    size_t         open_len;
    size_t         close_len;
    uint32_t       stack[HD_TPL_MAX_DEPTH];
    size_t         depth;
} hd_tpl_compiler_t;


static hd_tpl_op_t *hd_tpl_add_op(hd_tpl_compiler_t *c,
    hd_tpl_op_type_e type, uint32_t line);
static int hd_tpl_add_text(hd_tpl_compiler_t *c, size_t from, size_t to,
    uint32_t line);
static const hd_uchar *hd_tpl_tag_end(hd_tpl_compiler_t *c,
    const hd_uchar **body, size_t *body_len, size_t *tag_end);
static int hd_tpl_standalone(hd_tpl_compiler_t *c, hd_uchar sigil, size_t o,
    size_t tag_end, size_t *line_begin, size_t *after);
static hd_tpl_op_type_e hd_tpl_op_type(hd_uchar sigil);
static int hd_tpl_close_section(hd_tpl_compiler_t *c, const hd_uchar *name,
    size_t len, uint32_t line);
static int hd_tpl_parse_key(hd_tpl_compiler_t *c, hd_tpl_op_t *op);
static int hd_tpl_set_delimiters(hd_tpl_compiler_t *c, const hd_uchar *p,
    size_t len, uint32_t line);
static hd_rc hd_tpl_error(hd_tpl_compiler_t *c, uint32_t line,
    const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

static uint64_t  hd_tpl_generations;


uint64_t
hd_tpl_new_generation(void)
{
    return __atomic_add_fetch(&hd_tpl_generations, 1, __ATOMIC_RELAXED);
}


static int
hd_tpl_is_space(hd_uchar c)
{
    return c == ' ' || c == '\t';
}


static int
hd_tpl_trim(const hd_uchar **p, size_t *len)
{
    while (*len && (hd_tpl_is_space(**p) || **p == '\r' || **p == '\n')) {
        (*p)++;
        (*len)--;
    }

    while (*len && (hd_tpl_is_space((*p)[*len - 1]) || (*p)[*len - 1] == '\r'
                    || (*p)[*len - 1] == '\n'))
    {
        (*len)--;
    }

    return *len != 0;
}


static const hd_uchar *
hd_tpl_find(const hd_uchar *p, const hd_uchar *end, const char *s, size_t n)
{
    for ( ; (size_t) (end - p) >= n; p++) {
        if (*p == (hd_uchar) s[0] && memcmp(p, s, n) == 0) {
            return p;
        }
    }

    return NULL;
}


/*
 * Where the tag whose body starts at *body ends, by its sigil: "}}}" for a
 * triple mustache, "=}}" for a delimiter change, the close delimiter else.
 * Moves *body past the sigil; NULL when the tag never closes.
 */
static const hd_uchar *
hd_tpl_tag_end(hd_tpl_compiler_t *c, const hd_uchar **body, size_t *body_len,
    size_t *tag_end)
{
    const char      *last;
    const hd_uchar  *p, *close, *end = c->src + c->len;

    p = *body;

    switch (*p) {
    case '{':
        last = "}";
        break;

    case '=':
        last = "=";
        break;

    case '&': case '#': case '^': case '/': case '>': case '!':
        last = NULL;
        break;

    default:
        last = NULL;
        p--;            /* no sigil */
    }

    p++;
    *body = p;

    if (last == NULL) {
        close = hd_tpl_find(p, end, c->close, c->close_len);
        if (close == NULL) {
            return NULL;
        }

        *body_len = close - p;
        *tag_end = close + c->close_len - c->src;

        return close;
    }

    /* the closing sigil immediately followed by the close delimiter */
    for (close = hd_tpl_find(p, end, last, 1);
         close != NULL;
         close = hd_tpl_find(close + 1, end, last, 1))
    {
        if (hd_tpl_find(close + 1, end, c->close, c->close_len) == close + 1) {
            *body_len = close - p;
            *tag_end = close + 1 + c->close_len - c->src;
            return close;
        }

        if (*last == '}') {
            return NULL;
        }
    }

    return NULL;
}


/*
 * The specification's standalone rule: a section, inverted, close, partial,
 * comment or delimiter tag alone on its line (but for spaces and tabs) takes
 * the whole line with it. Gives the line's start and where text resumes.
 */
static int
hd_tpl_standalone(hd_tpl_compiler_t *c, hd_uchar sigil, size_t o,
    size_t tag_end, size_t *line_begin, size_t *after)
{
    size_t           i;
    const hd_uchar  *src = c->src;

    *line_begin = o;
    while (*line_begin > 0 && src[*line_begin - 1] != '\n') {
        (*line_begin)--;
    }

    *after = tag_end;

    if (strchr("#^/>!=", sigil) == NULL || sigil == '\0') {
        return 0;
    }

    for (i = *line_begin; i < o; i++) {
        if (!hd_tpl_is_space(src[i])) {
            return 0;
        }
    }

    for (i = tag_end; i < c->len && src[i] != '\n'; i++) {
        if (src[i] == '\r' && i + 1 < c->len && src[i + 1] == '\n') {
            continue;
        }

        if (!hd_tpl_is_space(src[i])) {
            return 0;
        }
    }

    *after = i < c->len ? i + 1 : c->len;

    return 1;
}


hd_tpl_t *
hd_tpl_compile(hd_pool_t *pool, const char *name, const char *file,
    const hd_uchar *src, size_t len, hd_err_t *err)
{
    int                 standalone;
    size_t              pos, text_start, o, line_begin, tag_end, after, i;
    size_t              body_len;
    uint32_t            line, tag_line;
    hd_uchar            sigil;
    hd_tpl_op_t        *op;
    const hd_uchar     *end, *body, *close;
    hd_tpl_compiler_t   c;

    /* pos: where scanning goes on; text_start: the text not yet an op */

    memset(&c, 0, sizeof(c));

    c.pool = pool;
    c.err = err;
    c.len = len;
    c.src = hd_pstrdup(pool, src, len);
    c.tpl = hd_pcalloc(pool, sizeof(hd_tpl_t));

    if (c.src == NULL || c.tpl == NULL) {
        hd_err_set(err, HD_NOMEM, NULL, "nomem", "out of memory");
        return NULL;
    }

    c.tpl->name = (char *) hd_pstrdup(pool, name, strlen(name));
    c.tpl->name_len = strlen(name);
    c.tpl->generation = hd_tpl_new_generation();
    c.tpl->file = (char *) hd_pstrdup(pool, file ? file : name,
                                      strlen(file ? file : name));

    memcpy(c.open, "{{", 2);
    memcpy(c.close, "}}", 2);
    c.open_len = 2;
    c.close_len = 2;

    src = c.src;
    end = src + len;
    pos = 0;
    text_start = 0;
    line = 1;            /* the line of src[pos] */

    for ( ;; ) {
        close = hd_tpl_find(src + pos, end, c.open, c.open_len);

        if (close == NULL) {
            if (hd_tpl_add_text(&c, text_start, len, line) != 0) {
                return NULL;
            }

            break;
        }

        o = close - src;

        for (i = pos; i < o; i++) {
            if (src[i] == '\n') {
                line++;
            }
        }

        tag_line = line;
        body = src + o + c.open_len;

        if (body >= end) {
            hd_tpl_error(&c, tag_line, "unclosed tag");
            return NULL;
        }

        sigil = *body;

        close = hd_tpl_tag_end(&c, &body, &body_len, &tag_end);

        if (close == NULL) {
            hd_tpl_error(&c, tag_line, "unclosed tag \"%.*s\"",
                         (int) (end - src - o > 20 ? 20 : end - src - o),
                         src + o);
            return NULL;
        }

        for (i = o; i < tag_end; i++) {
            if (src[i] == '\n') {
                line++;
            }
        }

        standalone = hd_tpl_standalone(&c, sigil, o, tag_end, &line_begin,
                                       &after);
        if (standalone && after < len) {
            line++;                 /* the newline the tag took */
        }

        if (hd_tpl_add_text(&c, text_start, standalone ? line_begin : o,
                            tag_line)
            != 0)
        {
            return NULL;
        }

        if (sigil == '!') {
            /* a comment: nothing */

        } else if (sigil == '=') {
            if (hd_tpl_set_delimiters(&c, body, body_len, tag_line) != 0) {
                return NULL;
            }

        } else if (!hd_tpl_trim(&body, &body_len)) {
            hd_tpl_error(&c, tag_line, "empty tag");
            return NULL;

        } else if (sigil == '/') {
            if (hd_tpl_close_section(&c, body, body_len, tag_line) != 0) {
                return NULL;
            }

        } else {
            op = hd_tpl_add_op(&c, hd_tpl_op_type(sigil), tag_line);
            if (op == NULL) {
                return NULL;
            }

            op->name.data = (hd_uchar *) body;
            op->name.len = body_len;

            if (sigil == '>') {
                if (standalone) {
                    op->text.data = (hd_uchar *) src + line_begin;
                    op->text.len = o - line_begin;
                }

            } else if (hd_tpl_parse_key(&c, op) != 0) {
                return NULL;

            } else if (sigil == '#' || sigil == '^') {
                if (c.depth == HD_TPL_MAX_DEPTH) {
                    hd_tpl_error(&c, tag_line, "sections nested too deep");
                    return NULL;
                }

                c.stack[c.depth++] = c.tpl->nops - 1;
            }
        }

        pos = text_start = after;
    }

    if (c.depth) {
        op = &c.tpl->ops[c.stack[c.depth - 1]];
        hd_tpl_error(&c, op->line, "unclosed section \"%.*s\"",
                     (int) op->name.len, op->name.data);
        return NULL;
    }

    return c.tpl;
}


static hd_tpl_op_type_e
hd_tpl_op_type(hd_uchar sigil)
{
    switch (sigil) {
    case '#':  return HD_TPL_SECTION;
    case '^':  return HD_TPL_INVERTED;
    case '>':  return HD_TPL_PARTIAL;
    case '{':
    case '&':  return HD_TPL_RAW;
    default:   return HD_TPL_VAR;
    }
}


static int
hd_tpl_close_section(hd_tpl_compiler_t *c, const hd_uchar *name, size_t len,
    uint32_t line)
{
    hd_tpl_op_t  *open;

    if (c->depth == 0) {
        hd_tpl_error(c, line, "closing tag \"%.*s\" without a section",
                     (int) len, name);
        return -1;
    }

    open = &c->tpl->ops[c->stack[--c->depth]];

    if (open->name.len != len || memcmp(open->name.data, name, len) != 0) {
        hd_tpl_error(c, line, "closing tag \"%.*s\" does not match section "
                     "\"%.*s\" opened at line %u", (int) len, name,
                     (int) open->name.len, open->name.data, open->line);
        return -1;
    }

    open->end = c->tpl->nops;

    return 0;
}


const char *
hd_tpl_name(const hd_tpl_t *tpl)
{
    return tpl->name;
}


static hd_tpl_op_t *
hd_tpl_add_op(hd_tpl_compiler_t *c, hd_tpl_op_type_e type, uint32_t line)
{
    uint32_t      cap;
    hd_tpl_op_t  *ops, *op;

    if (c->tpl->nops == c->tpl->cap) {
        cap = c->tpl->cap ? c->tpl->cap * 2 : 16;

        ops = hd_palloc(c->pool, cap * sizeof(hd_tpl_op_t));
        if (ops == NULL) {
            hd_err_set(c->err, HD_NOMEM, NULL, "nomem", "out of memory");
            return NULL;
        }

        if (c->tpl->nops) {
            memcpy(ops, c->tpl->ops, c->tpl->nops * sizeof(hd_tpl_op_t));
        }

        c->tpl->ops = ops;
        c->tpl->cap = cap;
    }

    op = &c->tpl->ops[c->tpl->nops++];
    memset(op, 0, sizeof(hd_tpl_op_t));
    op->type = type;
    op->line = line;

    return op;
}


static int
hd_tpl_add_text(hd_tpl_compiler_t *c, size_t from, size_t to, uint32_t line)
{
    hd_tpl_op_t  *op;

    if (to <= from) {
        return 0;
    }

    op = hd_tpl_add_op(c, HD_TPL_TEXT, line);
    if (op == NULL) {
        return -1;
    }

    op->text.data = (hd_uchar *) c->src + from;
    op->text.len = to - from;

    return 0;
}


static int
hd_tpl_parse_key(hd_tpl_compiler_t *c, hd_tpl_op_t *op)
{
    size_t           i, n, start;
    const hd_uchar  *p = op->name.data;

    if (op->name.len == 1 && p[0] == '.') {
        return 0;
    }

    for (n = 1, i = 0; i < op->name.len; i++) {
        if (p[i] == '.') {
            n++;
        }
    }

    op->key.part = hd_palloc(c->pool, n * sizeof(hd_str_t));
    op->key.hash = hd_palloc(c->pool, n * sizeof(uint32_t));
    if (op->key.part == NULL || op->key.hash == NULL) {
        hd_err_set(c->err, HD_NOMEM, NULL, "nomem", "out of memory");
        return -1;
    }

    for (start = 0, i = 0; i <= op->name.len; i++) {
        if (i == op->name.len || p[i] == '.') {
            if (i == start) {
                hd_tpl_error(c, op->line, "bad name \"%.*s\"",
                             (int) op->name.len, op->name.data);
                return -1;
            }

            op->key.part[op->key.n].data = (hd_uchar *) p + start;
            op->key.part[op->key.n].len = i - start;
            op->key.hash[op->key.n] = hd_val_hash(p + start, i - start);
            op->key.n++;
            start = i + 1;
        }
    }

    return 0;
}


static int
hd_tpl_set_delimiters(hd_tpl_compiler_t *c, const hd_uchar *p, size_t len,
    uint32_t line)
{
    size_t  i, a_len, b_start;

    if (!hd_tpl_trim(&p, &len)) {
        goto bad;
    }

    for (i = 0; i < len && !hd_tpl_is_space(p[i]); i++) { /* void */ }

    a_len = i;

    while (i < len && hd_tpl_is_space(p[i])) {
        i++;
    }

    b_start = i;

    for ( ; i < len; i++) {
        if (hd_tpl_is_space(p[i]) || p[i] == '=') {
            goto bad;
        }
    }

    if (a_len == 0 || b_start == len || a_len >= HD_TPL_MAX_DELIM
        || len - b_start >= HD_TPL_MAX_DELIM || memchr(p, '=', a_len))
    {
        goto bad;
    }

    memcpy(c->open, p, a_len);
    c->open_len = a_len;
    memcpy(c->close, p + b_start, len - b_start);
    c->close_len = len - b_start;

    return 0;

bad:

    hd_tpl_error(c, line, "bad delimiter change");
    return -1;
}


static hd_rc
hd_tpl_error(hd_tpl_compiler_t *c, uint32_t line, const char *fmt, ...)
{
    char     what[200];
    va_list  args;

    va_start(args, fmt);
    vsnprintf(what, sizeof(what), fmt, args);
    va_end(args);

    return hd_err_set(c->err, HD_INVALID, "template", "template_error",
                      "%s:%u: %s", c->tpl->file, line, what);
}


hd_tpl_set_t *
hd_tpl_set_create(hd_pool_t *pool)
{
    hd_tpl_set_t  *set;

    set = hd_pcalloc(pool, sizeof(hd_tpl_set_t));
    if (set != NULL) {
        set->pool = pool;
    }

    return set;
}


int
hd_tpl_set_add(hd_tpl_set_t *set, hd_tpl_t *tpl)
{
    size_t      cap;
    hd_tpl_t  **items;

    if (set->n == set->cap) {
        cap = set->cap ? set->cap * 2 : 32;

        items = hd_palloc(set->pool, cap * sizeof(hd_tpl_t *));
        if (items == NULL) {
            return -1;
        }

        if (set->n) {
            memcpy(items, set->items, set->n * sizeof(hd_tpl_t *));
        }

        set->items = items;
        set->cap = cap;
    }

    set->items[set->n++] = tpl;

    return 0;
}


static hd_tpl_t *
hd_tpl_set_find_n(const hd_tpl_set_t *set, const hd_uchar *name, size_t len)
{
    size_t  i;

    for (i = 0; i < set->n; i++) {
        if (set->items[i]->name_len == len
            && memcmp(set->items[i]->name, name, len) == 0)
        {
            return set->items[i];
        }
    }

    return NULL;
}


hd_tpl_t *
hd_tpl_set_find(const hd_tpl_set_t *set, const char *name)
{
    return hd_tpl_set_find_n(set, (const hd_uchar *) name, strlen(name));
}


hd_rc
hd_tpl_set_link(hd_tpl_set_t *set, int strict, hd_err_t *err)
{
    size_t        i;
    uint32_t      k;
    hd_tpl_t     *tpl;
    hd_tpl_op_t  *op;

    for (i = 0; i < set->n; i++) {
        tpl = set->items[i];

        for (k = 0; k < tpl->nops; k++) {
            op = &tpl->ops[k];

            if (op->type != HD_TPL_PARTIAL) {
                continue;
            }

            op->partial = hd_tpl_set_find_n(set, op->name.data, op->name.len);

            if (op->partial == NULL && strict) {
                return hd_err_set(err, HD_INVALID, "template",
                                  "template_error",
                                  "%s:%u: unknown partial \"%.*s\"",
                                  tpl->file, op->line, (int) op->name.len,
                                  op->name.data);
            }
        }
    }

    return HD_OK;
}


/* hd_tpl_escape into a buffer */
typedef struct {
    hd_tpl_out_t   out;
    hd_buf_t      *buf;
} hd_tpl_buf_out_t;


static int
hd_tpl_buf_write(hd_tpl_out_t *out, const hd_uchar *data, size_t len)
{
    return hd_buf_add(((hd_tpl_buf_out_t *) out)->buf, data, len);
}


/*
 * A copy of tpl with {{name.a.b}} tags made text: those that value (the
 * data every render of the copy will have under name, e.g. a language's
 * message catalogue) gives a string without a newline, HTML-escaped once
 * here. Adjacent texts are joined, but never across a section's end.
 */
static hd_tpl_t *
hd_tpl_fold(hd_pool_t *pool, const hd_tpl_t *tpl, const hd_str_t *name,
    const hd_val_t *value, hd_err_t *err)
{
    size_t               i;
    uint32_t             k, n, *map;
    hd_buf_t             text;
    hd_tpl_t            *copy;
    const hd_val_t      *v;
    hd_tpl_op_t         *op, *last;
    const hd_tpl_op_t   *from;
    hd_uchar            *is_end;
    hd_tpl_buf_out_t     bout;

    copy = hd_pcalloc(pool, sizeof(hd_tpl_t));
    map = hd_palloc(pool, (tpl->nops + 1) * sizeof(uint32_t));
    is_end = hd_pcalloc(pool, tpl->nops + 1);

    if (copy == NULL || map == NULL || is_end == NULL) {
        return NULL;
    }

    *copy = *tpl;
    copy->ops = hd_palloc(pool, (tpl->nops ? tpl->nops : 1)
                                * sizeof(hd_tpl_op_t));
    if (copy->ops == NULL) {
        return NULL;
    }

    copy->cap = tpl->nops;
    copy->generation = hd_tpl_new_generation();

    for (k = 0; k < tpl->nops; k++) {
        if (tpl->ops[k].type == HD_TPL_SECTION
            || tpl->ops[k].type == HD_TPL_INVERTED)
        {
            is_end[tpl->ops[k].end] = 1;
        }
    }

    for (n = 0, k = 0; k < tpl->nops; k++) {
        from = &tpl->ops[k];
        v = NULL;

        if ((from->type == HD_TPL_VAR || from->type == HD_TPL_RAW)
            && from->key.n > 1 && from->key.part[0].len == name->len
            && memcmp(from->key.part[0].data, name->data, name->len) == 0)
        {
            v = value;

            for (i = 1; v != NULL && i < from->key.n; i++) {
                v = hd_val_get_hashed(v, from->key.part[i].data,
                                      from->key.part[i].len,
                                      from->key.hash[i]);
            }

            /* a text the catalogue does not have: a typo nginx -t names */
            if (v == NULL) {
                hd_err_set(err, HD_INVALID, "templates", "catalogue_key",
                           "%s:%u: {{%.*s}}: the catalogue has no such text",
                           tpl->file ? tpl->file : tpl->name,
                           (unsigned) from->line, (int) from->name.len,
                           from->name.data);
                return NULL;
            }

            if (v != NULL && (v->type != HD_VAL_STR
                              || memchr(v->u.str.data, '\n', v->u.str.len)))
            {
                v = NULL;
            }
        }

        if (v == NULL && from->type != HD_TPL_TEXT) {
            map[k] = n;
            copy->ops[n++] = *from;
            continue;
        }

        /* text: on the text before it unless a section ends here */

        last = (n && !is_end[k] && copy->ops[n - 1].type == HD_TPL_TEXT)
               ? &copy->ops[n - 1] : NULL;

        hd_buf_init(&text);

        if (last != NULL) {
            hd_buf_add(&text, last->text.data, last->text.len);
        }

        if (v == NULL) {
            hd_buf_add(&text, from->text.data, from->text.len);

        } else if (from->type == HD_TPL_VAR) {
            bout.out.write = hd_tpl_buf_write;
            bout.buf = &text;
            (void) hd_tpl_escape(&bout.out, v->u.str.data, v->u.str.len);

        } else {
            hd_buf_add(&text, v->u.str.data, v->u.str.len);
        }

        if (text.failed) {
            hd_buf_free(&text);
            return NULL;
        }

        if (last == NULL) {
            last = &copy->ops[n++];
            *last = *from;
            last->type = HD_TPL_TEXT;
            memset(&last->key, 0, sizeof(last->key));
        }

        map[k] = last - copy->ops;
        last->text.data = hd_pstrdup(pool, text.data, text.len);
        last->text.len = text.len;
        hd_buf_free(&text);

        if (last->text.data == NULL) {
            return NULL;
        }
    }

    map[tpl->nops] = n;
    copy->nops = n;

    for (k = 0; k < n; k++) {
        op = &copy->ops[k];

        if (op->type == HD_TPL_SECTION || op->type == HD_TPL_INVERTED) {
            op->end = map[op->end];
        }
    }

    return copy;
}


hd_tpl_set_t *
hd_tpl_set_fold(hd_pool_t *pool, const hd_tpl_set_t *set, const char *name,
    const hd_val_t *value, hd_err_t *err)
{
    size_t         i;
    hd_str_t       key;
    hd_tpl_t      *tpl;
    hd_tpl_set_t  *folded;

    key.data = (hd_uchar *) name;
    key.len = strlen(name);

    folded = hd_tpl_set_create(pool);
    if (folded == NULL) {
        hd_err_set(err, HD_NOMEM, NULL, "nomem", "out of memory");
        return NULL;
    }

    for (i = 0; i < set->n; i++) {
        hd_err_set(err, HD_NOMEM, NULL, "nomem", "out of memory");
        tpl = hd_tpl_fold(pool, set->items[i], &key, value, err);

        if (tpl == NULL || hd_tpl_set_add(folded, tpl) != 0) {
            return NULL;
        }
    }

    if (err != NULL) {
        hd_err_clear(err);
    }

    /* the partials: the folded copies */
    if (hd_tpl_set_link(folded, 0, err) != HD_OK) {
        return NULL;
    }

    return folded;
}
