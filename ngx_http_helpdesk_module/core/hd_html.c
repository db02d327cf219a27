/*
 * HTML to text: libxml2 builds the tree (recovering from broken markup, no
 * network, no DTD); a walk writes the text, blocks as lines, runs of white
 * space as one space, at most one empty line between blocks.
 */

#include <libxml/HTMLparser.h>
#include <libxml/tree.h>
#include <pthread.h>

#include "hd_html.h"


#define HD_HTML_DEPTH  200      /* deeper elements are read as text */


typedef struct {
    hd_buf_t     *out;
    int           space;        /* a space is owed before the next word */
    int           lines;        /* line ends at the end of out */
    int           pre;          /* inside <pre>: white space as it is */
    int           failed;
} hd_html_w_t;


static pthread_once_t  hd_html_once = PTHREAD_ONCE_INIT;


static void
hd_html_init(void)
{
    xmlInitParser();
}


/* elements whose content is not for reading */
static int
hd_html_skipped(const xmlChar *name)
{
    static const char  *names[] = {
        "script", "style", "head", "title", "iframe", "frame", "frameset",
        "object", "embed", "applet", "noscript", "template", "svg", "math",
        "form", "select", "textarea", "button", "input", "audio", "video",
        "canvas", "map", NULL
    };

    const char  **n;

    for (n = names; *n; n++) {
        if (xmlStrcasecmp(name, (const xmlChar *) *n) == 0) {
            return 1;
        }
    }

    return 0;
}


static int
hd_html_block(const xmlChar *name)
{
    static const char  *names[] = {
        "p", "div", "section", "article", "header", "footer", "main",
        "aside", "nav", "blockquote", "pre", "table", "tr", "ul", "ol", "dl",
        "dt", "dd", "li", "h1", "h2", "h3", "h4", "h5", "h6", "hr",
        "address", "figure", "figcaption", "fieldset", "center", NULL
    };

    const char  **n;

    for (n = names; *n; n++) {
        if (xmlStrcasecmp(name, (const xmlChar *) *n) == 0) {
            return 1;
        }
    }

    return 0;
}


static void
hd_html_add(hd_html_w_t *w, const void *p, size_t len)
{
    if (hd_buf_add(w->out, p, len) != 0) {
        w->failed = 1;
    }
}


/* ends the line; two: an empty line between blocks (never more) */
static void
hd_html_newline(hd_html_w_t *w, int lines)
{
    if (w->out->len == 0) {
        return;                 /* no empty lines at the start */
    }

    while (w->lines < lines) {
        hd_html_add(w, "\n", 1);
        w->lines++;
    }

    w->space = 0;
}


static void
hd_html_words(hd_html_w_t *w, const xmlChar *text)
{
    const xmlChar  *p, *start;

    if (w->pre) {
        hd_html_add(w, text, xmlStrlen(text));
        w->lines = text[0] && text[xmlStrlen(text) - 1] == '\n';
        return;
    }

    for (p = text; *p; ) {
        if (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'
            || *p == '\f')
        {
            w->space = 1;
            p++;
            continue;
        }

        /* U+00A0, a no-break space, is a space to a reader too */
        if (p[0] == 0xc2 && p[1] == 0xa0) {
            w->space = 1;
            p += 2;
            continue;
        }

        start = p;

        while (*p && *p != ' ' && *p != '\t' && *p != '\n' && *p != '\r'
               && *p != '\f' && !(p[0] == 0xc2 && p[1] == 0xa0))
        {
            p++;
        }

        if (w->space && w->lines == 0 && w->out->len) {
            hd_html_add(w, " ", 1);
        }

        hd_html_add(w, start, p - start);
        w->space = 0;
        w->lines = 0;
    }
}


static void
hd_html_walk(hd_html_w_t *w, xmlNode *node, int depth)
{
    xmlChar   *href, *alt;
    xmlNode   *n;
    size_t     before;
    int        block;

    for (n = node; n != NULL && !w->failed; n = n->next) {

        if (n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE) {
            if (n->content != NULL) {
                hd_html_words(w, n->content);
            }

            continue;
        }

        if (n->type != XML_ELEMENT_NODE || n->name == NULL
            || hd_html_skipped(n->name))
        {
            continue;
        }

        if (xmlStrcasecmp(n->name, (const xmlChar *) "br") == 0) {
            w->lines = 0;
            hd_html_newline(w, 1);
            continue;
        }

        if (xmlStrcasecmp(n->name, (const xmlChar *) "img") == 0) {
            /* its words, never its picture: nothing is fetched */
            alt = xmlGetProp(n, (const xmlChar *) "alt");

            if (alt != NULL) {
                hd_html_words(w, alt);
                xmlFree(alt);
            }

            continue;
        }

        block = hd_html_block(n->name);

        if (block) {
            hd_html_newline(w, xmlStrcasecmp(n->name,
                                             (const xmlChar *) "li") == 0
                               || xmlStrcasecmp(n->name,
                                                (const xmlChar *) "tr") == 0
                               || xmlStrcasecmp(n->name,
                                                (const xmlChar *) "dd") == 0
                               || xmlStrcasecmp(n->name,
                                                (const xmlChar *) "dt") == 0
                               ? 1 : 2);
        }

        if (xmlStrcasecmp(n->name, (const xmlChar *) "li") == 0) {
            hd_html_add(w, "- ", 2);
            w->lines = 0;
        }

        if (xmlStrcasecmp(n->name, (const xmlChar *) "td") == 0
            || xmlStrcasecmp(n->name, (const xmlChar *) "th") == 0)
        {
            w->space = 1;
        }

        if (xmlStrcasecmp(n->name, (const xmlChar *) "pre") == 0) {
            w->pre++;
        }

        before = w->out->len;

        if (depth < HD_HTML_DEPTH) {
            hd_html_walk(w, n->children, depth + 1);
        }

        if (xmlStrcasecmp(n->name, (const xmlChar *) "pre") == 0) {
            w->pre--;
        }

        /* a link's address after its words, when they are not it */
        if (xmlStrcasecmp(n->name, (const xmlChar *) "a") == 0) {
            href = xmlGetProp(n, (const xmlChar *) "href");

            if (href != NULL
                && (xmlStrncasecmp(href, (const xmlChar *) "http://", 7) == 0
                    || xmlStrncasecmp(href, (const xmlChar *) "https://", 8)
                       == 0)
                && !(w->out->len - before == (size_t) xmlStrlen(href)
                     && memcmp(w->out->data + before, href,
                               xmlStrlen(href)) == 0))
            {
                hd_html_add(w, " (", 2);
                hd_html_add(w, href, xmlStrlen(href));
                hd_html_add(w, ")", 1);
                w->lines = 0;
            }

            if (href != NULL) {
                xmlFree(href);
            }
        }

        if (block) {
            hd_html_newline(w, 2);
        }
    }
}


int
hd_html_text(const hd_uchar *html, size_t len, hd_buf_t *out)
{
    xmlDoc      *doc;
    xmlNode     *root;
    hd_html_w_t  w;

    (void) pthread_once(&hd_html_once, hd_html_init);

    if (len > INT32_MAX) {
        return -1;
    }

    doc = htmlReadMemory((const char *) html, (int) len, NULL, "UTF-8",
                         HTML_PARSE_RECOVER | HTML_PARSE_NONET
                         | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING
                         | HTML_PARSE_NOBLANKS | HTML_PARSE_COMPACT);
    if (doc == NULL) {
        return 0;               /* nothing a reader would see */
    }

    memset(&w, 0, sizeof(w));
    w.out = out;

    root = xmlDocGetRootElement(doc);

    if (root != NULL) {
        hd_html_walk(&w, root, 0);
    }

    xmlFreeDoc(doc);

    /* no line ends at the end */
    while (out->len && out->data[out->len - 1] == '\n') {
        out->len--;
    }

    return w.failed ? -1 : 0;
}
