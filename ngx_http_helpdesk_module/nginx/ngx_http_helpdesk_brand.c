/*
 * The portal's look for an operator: helpdesk_brand name=TEXT logo=FILE
 * accent=#RRGGBB. The name replaces the product's in the header and the
 * titles, the logo is a file of the templates' static/ shown before it,
 * the accent colour is served as static/brand.css (the pages' CSP allows no
 * inline style) and must keep WCAG AA contrast against white.
 */

#include "ngx_http_helpdesk_module.h"

#include <math.h>


/* WCAG's relative luminance of an sRGB channel, 0-255 */
static double
ngx_http_helpdesk_channel(ngx_uint_t c)
{
    double  v = (double) c / 255.0;

    return v <= 0.03928 ? v / 12.92 : pow((v + 0.055) / 1.055, 2.4);
}


/* the contrast of #RRGGBB against white, times 10 (45: 4.5:1) */
static ngx_int_t
ngx_http_helpdesk_contrast10(const u_char *hex)
{
    double      l;
    ngx_int_t   r, g, b;

    r = ngx_hextoi((u_char *) hex, 2);
    g = ngx_hextoi((u_char *) hex + 2, 2);
    b = ngx_hextoi((u_char *) hex + 4, 2);

    if (r < 0 || g < 0 || b < 0) {
        return -1;
    }

    l = 0.2126 * ngx_http_helpdesk_channel(r)
        + 0.7152 * ngx_http_helpdesk_channel(g)
        + 0.0722 * ngx_http_helpdesk_channel(b);

    return (ngx_int_t) (10.0 * 1.05 / (l + 0.05));
}


char *
ngx_http_helpdesk_brand(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_helpdesk_loc_conf_t  *lcf = conf;

    u_char      *p;
    ngx_int_t    contrast;
    ngx_str_t   *value, v;
    ngx_uint_t   i;

    (void) cmd;

    if (lcf->brand_set) {
        return "is duplicate";
    }

    lcf->brand_set = 1;
    value = cf->args->elts;

    for (i = 1; i < cf->args->nelts; i++) {

        if (ngx_strncmp(value[i].data, "name=", 5) == 0 && value[i].len > 5) {
            lcf->brand_name.data = value[i].data + 5;
            lcf->brand_name.len = value[i].len - 5;
            continue;
        }

        if (ngx_strncmp(value[i].data, "logo=", 5) == 0 && value[i].len > 5) {
            v.data = value[i].data + 5;
            v.len = value[i].len - 5;

            if (ngx_strlchr(v.data, v.data + v.len, '/') != NULL
                || v.data[0] == '.')
            {
                ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                                   "helpdesk_brand: logo=\"%V\": the name of "
                                   "a file in the templates' static/, "
                                   "without a path", &v);
                return NGX_CONF_ERROR;
            }

            lcf->brand_logo = v;
            continue;
        }

        if (ngx_strncmp(value[i].data, "accent=", 7) == 0) {
            v.data = value[i].data + 7;
            v.len = value[i].len - 7;

            contrast = v.len == 7 && v.data[0] == '#'
                       ? ngx_http_helpdesk_contrast10(v.data + 1) : -1;

            if (contrast < 0) {
                ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                                   "helpdesk_brand: invalid accent \"%V\" "
                                   "(a colour as #RRGGBB)", &v);
                return NGX_CONF_ERROR;
            }

            if (contrast < 45) {
                ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                                   "helpdesk_brand: accent %V has a contrast "
                                   "of %i.%i:1 against white; links and the "
                                   "buttons' white text need 4.5:1 (WCAG "
                                   "AA): choose a darker colour", &v,
                                   contrast / 10, contrast % 10);
                return NGX_CONF_ERROR;
            }

            p = ngx_pnalloc(cf->pool, 64);
            if (p == NULL) {
                return NGX_CONF_ERROR;
            }

            lcf->brand_css.data = p;
            lcf->brand_css.len = ngx_sprintf(p, ":root { --accent: %V; "
                                             "--accent-ink: #ffffff; }\n", &v)
                                 - p;
            continue;
        }

        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "helpdesk_brand: invalid parameter \"%V\" "
                           "(name=TEXT, logo=FILE, accent=#RRGGBB)",
                           &value[i]);
        return NGX_CONF_ERROR;
    }

    return NGX_CONF_OK;
}


/* in merge: a location without its own takes its parent's; a logo that is
   not among the static files fails nginx -t */
char *
ngx_http_helpdesk_brand_merge(ngx_conf_t *cf,
    ngx_http_helpdesk_loc_conf_t *prev, ngx_http_helpdesk_loc_conf_t *conf)
{
    if (!conf->brand_set) {
        conf->brand_set = prev->brand_set;
        conf->brand_name = prev->brand_name;
        conf->brand_logo = prev->brand_logo;
        conf->brand_css = prev->brand_css;
    }

    if (conf->brand_logo.len && conf->templates != NULL
        && hd_templates_asset(conf->templates, conf->brand_logo.data,
                              conf->brand_logo.len)
           == NULL)
    {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "helpdesk_brand: logo=\"%V\": there is no such "
                           "file in %V/static/", &conf->brand_logo,
                           &conf->templates_dir);
        return NGX_CONF_ERROR;
    }

    return NGX_CONF_OK;
}


/* the brand's values every page's header reads */
void
ngx_http_helpdesk_brand_view(ngx_http_helpdesk_ctx_t *ctx, hd_val_t *view)
{
    ngx_http_helpdesk_loc_conf_t  *lcf = ctx->lcf;

    if (lcf->brand_name.len) {
        hd_val_set_str(&ctx->pool, view, "brand_name", lcf->brand_name.data,
                       lcf->brand_name.len);
    }

    if (lcf->brand_logo.len) {
        hd_val_set_str(&ctx->pool, view, "brand_logo", lcf->brand_logo.data,
                       lcf->brand_logo.len);
    }

    if (lcf->brand_css.len) {
        hd_val_set_bool(&ctx->pool, view, "brand_css", 1);
    }
}
