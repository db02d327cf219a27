/*
 * Tickets as the customer sees them (SPEC §5.5): "My tickets" with the
 * limits of their certificates and the new-ticket form, and the names,
 * labels and JSON pieces every ticket page shares. HTML and the JSON API
 * from the same reads. One ticket's page is ngx_http_helpdesk_ticket_page.c.
 */

#include "ngx_http_helpdesk_module.h"

#include "hd_date.h"
#include "hd_files.h"
#include "hd_product.h"
#include "hd_ticket_customer.h"
#include "hd_ticket_staff.h"


/* the ticket number of the path ({n}); 0 when it is not one */
uint64_t
ngx_http_helpdesk_ticket_arg(ngx_http_helpdesk_ctx_t *ctx)
{
    off_t  n;

    if (ctx->nargs == 0 || ctx->args[0].len > 15) {
        return 0;
    }

    n = ngx_atoof(ctx->args[0].data, ctx->args[0].len);

    return n > 0 ? (uint64_t) n : 0;
}


static const char  *ngx_http_helpdesk_severity_names[] = { "1", "2", "3",
                                                          "4" };

/* each table: its prefix in the catalogue ("tickets.<prefix>_<name>") */
static const struct {
    const char      *prefix;
    const char     **names;
    ngx_uint_t       n;
} ngx_http_helpdesk_label_tables[NGX_HTTP_HELPDESK_L_COUNT] = {
    { "status", hd_status_names, HD_STATUS_COUNT },
    { "priority", hd_priority_names, HD_PRIORITY_COUNT },
    { "type", hd_ticket_type_names, HD_TYPE_COUNT },
    { "category", hd_category_names, HD_CATEGORY_COUNT },
    { "severity", ngx_http_helpdesk_severity_names, 4 },
    { "side", hd_side_names, HD_SIDE_COUNT },
    { "kind", hd_message_kind_names, HD_MESSAGE_KIND_COUNT },
    { "event", hd_action_names, HD_ACTION_COUNT },
    { "staff_status", hd_status_names, HD_STATUS_COUNT },
};


/* a certificate a form or a page offers: number, product, unclosed of limit */
hd_val_t *
ngx_http_helpdesk_cert_choice(hd_pool_t *pool, const hd_ticket_cert_t *tc)
{
    hd_val_t  *item;

    item = hd_val_map(pool);
    hd_val_set_str(pool, item, "number", tc->cert.number.data,
                   tc->cert.number.len);
    hd_val_set_str(pool, item, "product", tc->product.data, tc->product.len);
    hd_val_set_int(pool, item, "unclosed", (int64_t) tc->unclosed);
    hd_val_set_int(pool, item, "limit", tc->type.ticket_limit);

    return item;
}


/*
 * The labels of every table in every language, as template values made
 * once with the configuration: pages of many rows look them up by index
 */
ngx_int_t
ngx_http_helpdesk_labels_init(ngx_conf_t *cf,
    ngx_http_helpdesk_loc_conf_t *lcf)
{
    char                         key[96];
    hd_pool_t                    pool;
    hd_val_t                   **list;
    ngx_uint_t                   lang, t, i;
    const hd_str_t              *text;
    ngx_http_helpdesk_labels_t  *labels;

    labels = ngx_pcalloc(cf->pool, sizeof(ngx_http_helpdesk_labels_t));
    if (labels == NULL) {
        return NGX_ERROR;
    }

    ngx_http_helpdesk_hd_pool(&pool, cf->pool);

    for (lang = 0; lang < HD_LANG_COUNT; lang++) {
        for (t = 0; t < NGX_HTTP_HELPDESK_L_COUNT; t++) {
            list = ngx_pcalloc(cf->pool, ngx_http_helpdesk_label_tables[t].n
                                         * sizeof(hd_val_t *));
            if (list == NULL) {
                return NGX_ERROR;
            }

            for (i = 0; i < ngx_http_helpdesk_label_tables[t].n; i++) {
                ngx_snprintf((u_char *) key, sizeof(key), "tickets.%s_%s%Z",
                             ngx_http_helpdesk_label_tables[t].prefix,
                             ngx_http_helpdesk_label_tables[t].names[i]);

                text = hd_i18n_text(lcf->templates->catalog[lang], key);

                /* a catalogue without the label shows the name itself */
                list[i] = text != NULL
                          ? hd_val_str(&pool, text->data, text->len)
                          : hd_val_cstr(&pool,
                                ngx_http_helpdesk_label_tables[t].names[i]);
                if (list[i] == NULL) {
                    return NGX_ERROR;
                }
            }

            labels->label[lang][t] = list;
        }
    }

    lcf->labels = labels;

    return NGX_OK;
}


void
ngx_http_helpdesk_set_label(ngx_http_helpdesk_ctx_t *ctx, hd_val_t *map,
    const char *key, ngx_http_helpdesk_label_e table, ngx_uint_t i)
{
    if (i >= ngx_http_helpdesk_label_tables[table].n) {
        i = 0;
    }

    hd_val_set(&ctx->pool, map, key,
               ctx->lcf->labels->label[ctx->lang][table][i]);
}


/* 2026-11-21T10:00:00Z: the API's times (null for none) */
void
ngx_http_helpdesk_jw_time(hd_jw_t *w, uint64_t t)
{
    u_char    buf[32], *p;
    ngx_tm_t  tm;

    if (t == 0) {
        hd_jw_null(w);
        return;
    }

    ngx_gmtime((time_t) t, &tm);

    p = buf;
    p += hd_int_text((char *) p, tm.ngx_tm_year);
    *p++ = '-';
    *p++ = (u_char) ('0' + tm.ngx_tm_mon / 10);
    *p++ = (u_char) ('0' + tm.ngx_tm_mon % 10);
    *p++ = '-';
    *p++ = (u_char) ('0' + tm.ngx_tm_mday / 10);
    *p++ = (u_char) ('0' + tm.ngx_tm_mday % 10);
    *p++ = 'T';
    *p++ = (u_char) ('0' + tm.ngx_tm_hour / 10);
    *p++ = (u_char) ('0' + tm.ngx_tm_hour % 10);
    *p++ = ':';
    *p++ = (u_char) ('0' + tm.ngx_tm_min / 10);
    *p++ = (u_char) ('0' + tm.ngx_tm_min % 10);
    *p++ = ':';
    *p++ = (u_char) ('0' + tm.ngx_tm_sec / 10);
    *p++ = (u_char) ('0' + tm.ngx_tm_sec % 10);
    *p++ = 'Z';

    hd_jw_str(w, buf, p - buf);
}


void
ngx_http_helpdesk_jw_kstr(hd_jw_t *w, const char *key, const hd_str_t *s)
{
    hd_jw_key(w, key);
    hd_jw_str(w, s->data, s->len);
}


/* an id that may be none (0): null then */
void
ngx_http_helpdesk_jw_kid(hd_jw_t *w, const char *key, uint64_t id)
{
    hd_jw_key(w, key);

    if (id) {
        hd_jw_int(w, (int64_t) id);

    } else {
        hd_jw_null(w);
    }
}


/* a string that may be empty: null then */
void
ngx_http_helpdesk_jw_kopt(hd_jw_t *w, const char *key, const hd_str_t *s)
{
    hd_jw_key(w, key);

    if (s->len) {
        hd_jw_str(w, s->data, s->len);

    } else {
        hd_jw_null(w);
    }
}


void
ngx_http_helpdesk_fill_str(hd_val_t *v, const hd_str_t *s)
{
    v->type = HD_VAL_STR;
    v->u.str = *s;
}


void
ngx_http_helpdesk_fill_code(hd_val_t *v, const char **names, size_t n,
    unsigned i)
{
    v->type = HD_VAL_STR;
    v->u.str.data = (hd_uchar *) names[i % n];
    v->u.str.len = ngx_strlen(names[i % n]);
}


void
ngx_http_helpdesk_fill_label(ngx_http_helpdesk_ctx_t *ctx, hd_val_t *v,
    ngx_http_helpdesk_label_e table, ngx_uint_t i)
{
    if (i >= ngx_http_helpdesk_label_tables[table].n) {
        i = 0;
    }

    *v = *ctx->lcf->labels->label[ctx->lang][table][i];
}


ngx_int_t
ngx_http_helpdesk_arg_number(ngx_http_request_t *r, const char *name,
    ngx_int_t def, ngx_int_t max)
{
    ngx_int_t  n;
    ngx_str_t  arg;

    if (ngx_http_arg(r, (u_char *) name, ngx_strlen(name), &arg) != NGX_OK
        || arg.len == 0)
    {
        return def;
    }

    n = ngx_atoi(arg.data, arg.len);

    if (n == NGX_ERROR || n < 1) {
        return NGX_ERROR;
    }

    return n > max ? max : n;
}


/*
 * "My tickets" (SPEC §5.5): unclosed by default, the resolved ones on
 * request; the limits of the certificates above; pages of 20
 */
ngx_int_t
ngx_http_helpdesk_tickets(ngx_http_request_t *r, ngx_http_helpdesk_ctx_t *ctx)
{
    hd_err_t        err;
    hd_val_t       *view;
    const char     *bad, *code;
    hd_viewer_t     viewer;
    hd_view_list_t  args;

    bad = ngx_http_helpdesk_list_args(r, ctx, &args, &code);
    if (bad != NULL) {
        return ngx_http_helpdesk_error(r, ctx, NGX_HTTP_BAD_REQUEST, code,
                                       bad);
    }

    ngx_http_helpdesk_viewer(r, ctx, &viewer);
    hd_err_clear(&err);

    if (hd_view_tickets(ctx->mcf->store, &viewer, &args, &ctx->pool, &view,
                        &err)
        != HD_OK)
    {
        return ngx_http_helpdesk_fail(r, ctx, &err);
    }

    return ngx_http_helpdesk_view_send(r, ctx, view, "pages/tickets", NULL,
                                       NULL, NGX_HTTP_OK);
}


/* the choices of a select: value, label, selected */
hd_val_t *
ngx_http_helpdesk_choices(ngx_http_helpdesk_ctx_t *ctx,
    ngx_http_helpdesk_label_e table, const hd_str_t *chosen, const char *def)
{
    hd_val_t     *list, *item;
    hd_pool_t    *pool = &ctx->pool;
    ngx_uint_t    i, sel;
    const char  **names = ngx_http_helpdesk_label_tables[table].names;

    list = hd_val_list(pool);

    for (i = 0; i < ngx_http_helpdesk_label_tables[table].n; i++) {
        item = hd_val_map(pool);
        hd_val_set_cstr(pool, item, "value", names[i]);
        ngx_http_helpdesk_set_label(ctx, item, "label", table, i);

        if (chosen != NULL && chosen->data != NULL && chosen->len) {
            sel = hd_str_eq(chosen, names[i]);

        } else {
            sel = def != NULL && ngx_strcmp(def, names[i]) == 0;
        }

        hd_val_set_bool(pool, item, "selected", sel);
        hd_val_push(pool, list, item);
    }

    return list;
}


/*
 * The new-ticket form (SPEC §5.3): the caller's active certificates with
 * "unclosed N of M" and premium where the contract has some left; shown
 * again with errors
 */
ngx_int_t
ngx_http_helpdesk_ticket_form_page(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx, hd_errors_t *errors, ngx_uint_t status)
{
    size_t              i, n, nproducts;
    hd_str_t            chosen, v;
    hd_err_t            err;
    hd_txn_t            txn;
    hd_val_t           *view, *certs, *item;
    ngx_str_t           ref;
    hd_pool_t          *pool = &ctx->pool;
    ngx_uint_t          any_premium, any_selected, sel;
    hd_product_t       *plist;
    hd_ticket_cert_t   *tc;

    static const char  *echo[] = {
        "subject", "description", "product_version", "os_version",
        "reference", NULL
    };


    view = ngx_http_helpdesk_view(r, ctx, "tickets.new_title");
    if (view == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ngx_http_helpdesk_view_form(r, ctx, view, echo, errors);

    if (hd_txn_begin(ctx->mcf->store, &txn, HD_TXN_READ | HD_TXN_CACHED, &err)
        != HD_OK)
    {
        return ngx_http_helpdesk_fail(r, ctx, &err);
    }

    if (hd_ticket_certificates(&txn, ctx->caller.account,
                               hd_date_today(ngx_time()), pool, &tc, &n)
        != HD_OK
        || hd_product_list(&txn, pool, &plist, &nproducts) != HD_OK)
    {
        hd_txn_abort(&txn);
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    /* what was written already: articles that may answer it (the page
       without JavaScript; with it, they come as one types) */
    {
        hd_str_t   subject, description;
        hd_val_t  *found;

        if (ctx->input != NULL
            && ngx_http_helpdesk_input_str(ctx, "subject", &subject) == NGX_OK
            && ngx_http_helpdesk_input_str(ctx, "description", &description)
               == NGX_OK
            && (subject.len || description.len))
        {
            u_char  ids[200];

            found = hd_val_list(pool);

            if (ngx_http_helpdesk_kb_suggestions(ctx, &txn, &subject,
                                                 &description, found, ids,
                                                 sizeof(ids))
                > 0)
            {
                hd_val_set(pool, view, "suggestions", found);
                hd_val_set_cstr(pool, view, "suggested_ids",
                                (char *) hd_pstrdup(pool, ids,
                                                    ngx_strlen(ids) + 1));
            }

            hd_val_set_bool(pool, view, "looked", 1);
        }
    }

    /* the extra fields of each category's and type's form */
    if (ngx_http_helpdesk_form_groups(ctx, &txn, view, errors) != NGX_OK) {
        hd_txn_abort(&txn);
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    hd_txn_abort(&txn);

    /* the products, for tickets without a certificate */
    (void) ngx_http_helpdesk_input_str(ctx, "product", &chosen);

    /* under their protection areas (Kaspersky block 8: area, product,
       version in that order), and the versions to choose from */
    {
        size_t        k, nv;
        hd_val_t     *areas, *area, *inside, *versions, *ver;
        hd_version_t  vs[HD_VERSIONS_MAX];
        u_char        label[400], *e;
        const hd_str_t *cert_word = ngx_http_helpdesk_text(ctx,
                                                    "tickets.certified");

        areas = hd_val_list(pool);
        versions = hd_val_list(pool);

        for (i = 0; i < nproducts; i++) {
            /* each area once, where its first product is */
            for (k = 0; k < i && !hd_str_same(&plist[k].area, &plist[i].area);
                 k++)
            {
                /* void */
            }

            if (k == i) {
                area = hd_val_map(pool);
                inside = hd_val_list(pool);

                if (plist[i].area.len) {
                    hd_val_set_str(pool, area, "area", plist[i].area.data,
                                   plist[i].area.len);

                } else {
                    ngx_http_helpdesk_fill_str(hd_val_slot(pool, area, "area"),
                        ngx_http_helpdesk_text(ctx, "tickets.no_area"));
                }

                for (k = i; k < nproducts; k++) {
                    if (!hd_str_same(&plist[k].area, &plist[i].area)) {
                        continue;
                    }

                    item = hd_val_map(pool);
                    hd_val_set_int(pool, item, "id", (int64_t) plist[k].id);
                    hd_val_set_str(pool, item, "name", plist[k].name.data,
                                   plist[k].name.len);
                    hd_val_set_bool(pool, item, "selected",
                                    chosen.data != NULL && chosen.len
                                    && ngx_atoof(chosen.data, chosen.len)
                                       == (off_t) plist[k].id);
                    hd_val_push(pool, inside, item);
                }

                hd_val_set(pool, area, "products", inside);
                hd_val_push(pool, areas, area);
            }

            nv = hd_product_versions(&plist[i], vs, HD_VERSIONS_MAX);

            for (k = 0; k < nv; k++) {
                ver = hd_val_map(pool);
                hd_val_set_str(pool, ver, "name", vs[k].name.data,
                               vs[k].name.len);

                e = ngx_snprintf(label, sizeof(label) - 1, "%*s%s%*s%s%*s",
                                 plist[i].name.len, plist[i].name.data,
                                 vs[k].build.len ? ", " : "",
                                 vs[k].build.len, vs[k].build.data,
                                 vs[k].certified && cert_word ? " · " : "",
                                 vs[k].certified && cert_word
                                 ? cert_word->len : 0,
                                 cert_word ? cert_word->data
                                           : (hd_uchar *) "");
                hd_val_set_str(pool, ver, "label",
                               hd_pstrdup(pool, label, e - label),
                               e - label);
                hd_val_push(pool, versions, ver);
            }
        }

        hd_val_set(pool, view, "areas", areas);
        hd_val_set(pool, view, "versions", versions);
    }

    certs = hd_val_list(pool);
    any_premium = 0;
    any_selected = 0;
    (void) ngx_http_helpdesk_input_str(ctx, "certificate", &chosen);

    for (i = 0; i < n; i++) {
        item = hd_val_map(pool);
        hd_val_set_str(pool, item, "number", tc[i].cert.number.data,
                       tc[i].cert.number.len);
        hd_val_set_str(pool, item, "type", tc[i].type.name.data,
                       tc[i].type.name.len);
        hd_val_set_str(pool, item, "product", tc[i].product.data,
                       tc[i].product.len);
        hd_val_set_int(pool, item, "unclosed", (int64_t) tc[i].unclosed);
        hd_val_set_int(pool, item, "limit", tc[i].type.ticket_limit);
        hd_val_set_bool(pool, item, "full",
                        tc[i].type.ticket_limit
                        && tc[i].unclosed >= tc[i].type.ticket_limit);
        hd_val_set_bool(pool, item, "company", tc[i].company);

        /* what the support level covers and what not */
        if (tc[i].type.covers.len) {
            hd_val_set_str(pool, item, "covers", tc[i].type.covers.data,
                           tc[i].type.covers.len);
        }

        /* as sent; on a fresh form the first with room */
        if (chosen.data != NULL) {
            sel = chosen.len == tc[i].cert.number.len
                  && ngx_strncmp(chosen.data, tc[i].cert.number.data,
                                 chosen.len) == 0;

        } else {
            sel = !any_selected
                  && !(tc[i].type.ticket_limit
                       && tc[i].unclosed >= tc[i].type.ticket_limit);
        }

        any_selected |= sel;
        hd_val_set_bool(pool, item, "selected", sel);

        if (tc[i].type.level != HD_LEVEL_STANDARD
            && tc[i].type.premium_per_year != 0)
        {
            hd_val_set_bool(pool, item, "premium_contract", 1);
            hd_val_set_bool(pool, item, "premium_unlimited",
                            tc[i].premium_left < 0);
            hd_val_set_int(pool, item, "premium_left",
                           tc[i].premium_left < 0 ? 0 : tc[i].premium_left);
            hd_val_set_bool(pool, item, "premium_spent",
                            tc[i].premium_left == 0);
            any_premium = 1;
        }

        hd_val_push(pool, certs, item);
    }

    hd_val_set(pool, view, "certificates", certs);
    hd_val_set_bool(pool, view, "has_certificates", n != 0);
    hd_val_set_bool(pool, view, "any_premium", any_premium);
    hd_val_set_bool(pool, view, "no_certificate_chosen", !any_selected);

    (void) ngx_http_helpdesk_input_str(ctx, "category", &chosen);

    /* a link may choose it: "?category=account_or_contract" */
    if ((chosen.data == NULL || chosen.len == 0)
        && ngx_http_arg(r, (u_char *) "category", 8, &ref) == NGX_OK)
    {
        chosen.data = ref.data;
        chosen.len = ref.len;
    }

    /* the update to install first, said once before the ticket goes */
    if (ctx->advice != NULL) {
        hd_val_t  *u = hd_val_map(pool);

        hd_val_set_str(pool, u, "version", ctx->advice->name.data,
                       ctx->advice->name.len);
        hd_val_set_str(pool, u, "text", ctx->advice->update_text.data,
                       ctx->advice->update_text.len);
        hd_val_set_str(pool, u, "link", ctx->advice->update_link.data,
                       ctx->advice->update_link.len);
        hd_val_set_bool(pool, u, "files_again", ctx->nuploads > 0);
        hd_val_set(pool, view, "update", u);
    }

    if (ctx->lcf->threat_portal.len) {
        hd_val_set_str(pool, view, "threat_portal",
                       ctx->lcf->threat_portal.data,
                       ctx->lcf->threat_portal.len);
    }

    /* the categories offered, with their lines */
    if (hd_txn_begin(ctx->mcf->store, &txn, HD_TXN_READ | HD_TXN_CACHED, &err)
        != HD_OK)
    {
        return ngx_http_helpdesk_fail(r, ctx, &err);
    }

    item = ngx_http_helpdesk_category_choices(ctx, &txn, &chosen,
                                              "technical", -1);
    hd_txn_abort(&txn);
    hd_val_set(pool, view, "categories", item);

    (void) ngx_http_helpdesk_input_str(ctx, "type", &chosen);
    hd_val_set(pool, view, "types",
               ngx_http_helpdesk_choices(ctx, NGX_HTTP_HELPDESK_L_TYPE,
                                         &chosen, "consultation"));

    (void) ngx_http_helpdesk_input_str(ctx, "severity", &chosen);
    hd_val_set(pool, view, "severities",
               ngx_http_helpdesk_choices(ctx, NGX_HTTP_HELPDESK_L_SEVERITY,
                                         &chosen, "3"));

    (void) ngx_http_helpdesk_input_str(ctx, "premium", &v);
    hd_val_set_bool(pool, view, "premium_chosen",
                    v.data != NULL && v.len
                    && !(v.len == 1 && v.data[0] == '0'));

    /* "continues ticket N": from the link after a reopen window passed */
    if (ngx_http_arg(r, (u_char *) "reference", 9, &ref) == NGX_OK
        && ref.len && ref.len < 16 && ngx_atoof(ref.data, ref.len) > 0)
    {
        hd_val_set_str(pool, view, "reference", ref.data, ref.len);
    }

    hd_val_set_int(pool, view, "files_max", ctx->mcf->tickets.files_max);
    hd_val_set_int(pool, view, "file_max_mb",
                   (int64_t) (ctx->mcf->tickets.file_max / (1024 * 1024)));
    hd_val_set_int(pool, view, "message_max_mb",
                   (int64_t) (ctx->mcf->tickets.message_max
                              / (1024 * 1024)));

    return ngx_http_helpdesk_render(r, ctx, "pages/ticket_new", view, status);
}


ngx_int_t
ngx_http_helpdesk_ticket_form(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx)
{
    return ngx_http_helpdesk_ticket_form_page(r, ctx, NULL, NGX_HTTP_OK);
}
