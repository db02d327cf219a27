/*
 * nginx -t for the attachment store: every server with a portal location
 * has the internal location downloads are redirected to (helpdesk_files
 * internal=), aliasing the store itself.
 */

#include "ngx_http_helpdesk_module.h"


/* a server with the portal in it, and whether it has the files location */
typedef struct {
    ngx_http_core_srv_conf_t      *cscf;
    ngx_str_t                      mount;      /* a portal location in it */
    ngx_uint_t                     portal;
    ngx_uint_t                     files;
    ngx_str_t                      alias;      /* the files location's */
} ngx_http_helpdesk_server_check_t;


/*
 * Every location is merged with its server's configuration in cf->ctx:
 * note the servers with a portal location, and the ones with the internal
 * location downloads are redirected to (helpdesk_files internal=), which
 * nginx only finds at run time otherwise (every download a silent 404)
 */
ngx_int_t
ngx_http_helpdesk_files_location(ngx_conf_t *cf,
    ngx_http_helpdesk_main_conf_t *mcf, ngx_http_helpdesk_loc_conf_t *conf)
{
    ngx_int_t                          files;
    ngx_uint_t                         i;
    ngx_http_core_loc_conf_t          *clcf;
    ngx_http_core_srv_conf_t          *cscf;
    ngx_http_helpdesk_server_check_t  *sc;

    cscf = ngx_http_conf_get_module_srv_conf(cf, ngx_http_core_module);
    clcf = ngx_http_conf_get_module_loc_conf(cf, ngx_http_core_module);

    files = 0;

    if (clcf->internal && clcf->alias && !clcf->named) {
#if (NGX_PCRE)
        if (clcf->regex) {
            files = ngx_regex_exec(clcf->regex->regex, &mcf->files_uri,
                                   NULL, 0)
                    >= 0;
        } else
#endif
        {
            files = !clcf->exact_match
                    && clcf->name.len <= mcf->files_uri.len
                    && ngx_strncmp(clcf->name.data, mcf->files_uri.data,
                                   clcf->name.len)
                       == 0;
        }
    }

    if (!files && !(conf->enabled && conf->mount.data != NULL)) {
        return NGX_OK;
    }

    if (mcf->servers == NULL) {
        mcf->servers = ngx_array_create(cf->pool, 4,
                                  sizeof(ngx_http_helpdesk_server_check_t));
        if (mcf->servers == NULL) {
            return NGX_ERROR;
        }
    }

    sc = mcf->servers->elts;

    for (i = 0; i < mcf->servers->nelts; i++) {
        if (sc[i].cscf == cscf) {
            break;
        }
    }

    if (i == mcf->servers->nelts) {
        sc = ngx_array_push(mcf->servers);
        if (sc == NULL) {
            return NGX_ERROR;
        }

        ngx_memzero(sc, sizeof(ngx_http_helpdesk_server_check_t));
        sc->cscf = cscf;

    } else {
        sc = &sc[i];
    }

    if (files) {
        sc->files = 1;
        sc->alias = clcf->root_lengths == NULL ? clcf->root
                                               : (ngx_str_t) ngx_null_string;

    } else {
        sc->portal = 1;
        sc->mount = conf->mount;
    }

    return NGX_OK;
}


/* the same directory, but for trailing slashes */
static ngx_int_t
ngx_http_helpdesk_same_dir(ngx_str_t *a, const char *b)
{
    size_t  la, lb;

    la = a->len;
    lb = ngx_strlen(b);

    while (la > 1 && a->data[la - 1] == '/') {
        la--;
    }

    while (lb > 1 && b[lb - 1] == '/') {
        lb--;
    }

    return la == lb && ngx_strncmp(a->data, b, la) == 0;
}


ngx_int_t
ngx_http_helpdesk_files_check(ngx_conf_t *cf,
    ngx_http_helpdesk_main_conf_t *mcf)
{
    static ngx_str_t  hd_no_name = ngx_null_string;

    ngx_uint_t                         i;
    ngx_http_server_name_t            *sn;
    ngx_http_helpdesk_server_check_t  *sc;

    if (mcf->servers == NULL) {
        return NGX_OK;
    }

    sc = mcf->servers->elts;

    for (i = 0; i < mcf->servers->nelts; i++) {
        if (!sc[i].portal) {
            continue;
        }

        sn = sc[i].cscf->server_names.nelts
             ? sc[i].cscf->server_names.elts : NULL;

        if (!sc[i].files) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "helpdesk_files: the server%s%V of the "
                               "portal at \"%V\" has no internal location "
                               "for \"%V\" with alias %s/ (every download "
                               "would be a 404): add location %V { "
                               "internal; alias %s/; }",
                               sn && sn->name.len ? " " : "",
                               sn ? &sn->name : &hd_no_name, &sc[i].mount,
                               &mcf->files_uri, mcf->files_dir,
                               &mcf->files_uri, mcf->files_dir);
            return NGX_ERROR;
        }

        if (sc[i].alias.len && sc[i].alias.data[0] == '/'
            && mcf->files_dir[0] == '/'
            && !ngx_http_helpdesk_same_dir(&sc[i].alias, mcf->files_dir))
        {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "helpdesk_files: the location \"%V\" has "
                               "alias %V, not the attachment store %s/ "
                               "(every download would be a 404)",
                               &mcf->files_uri, &sc[i].alias,
                               mcf->files_dir);
            return NGX_ERROR;
        }
    }

    return NGX_OK;
}
