/*
 * The versioned record encoding. A record is a C struct described by a table
 * of fields; on disk it is a header (format, kind, kind version) and then
 * tagged fields. Unknown tags are skipped and missing ones read as zero, so
 * records written by older and newer modules both decode; a kind's version
 * tells a migration what it reads.
 */

#ifndef HD_RECORD_H
#define HD_RECORD_H


#include "hd_core.h"
#include "hd_buf.h"
#include "hd_pool.h"


#define HD_RECORD_FORMAT  0xd1


typedef enum {
    HD_FIELD_U64 = 1,       /* uint64_t */
    HD_FIELD_I64,           /* int64_t */
    HD_FIELD_U32,           /* uint32_t */
    HD_FIELD_U8,            /* uint8_t: flags, small enums */
    HD_FIELD_STR            /* hd_str_t: decoded in place, not copied */
} hd_field_type_e;


typedef struct {
    uint16_t          tag;
    uint8_t           type;
    uint16_t          offset;
    const char       *name;
} hd_field_t;


typedef struct {
    uint8_t           kind;
    uint8_t           version;
    const char       *name;
    const hd_field_t *fields;
    size_t            nfields;
    size_t            size;         /* of the struct */
} hd_record_desc_t;


#define hd_field(type, tag, ftype, member)                                    \
    { tag, ftype, (uint16_t) offsetof(type, member), #member }

#define hd_record(kind, version, type, fields)                               \
    { kind, version, #type, fields, sizeof(fields) / sizeof(fields[0]),       \
      sizeof(type) }


int hd_record_encode(const hd_record_desc_t *desc, const void *rec,
    hd_buf_t *out);

/* strings of rec point into data: valid as long as data is */
hd_rc hd_record_decode(const hd_record_desc_t *desc, const void *data,
    size_t len, void *rec);

/*
 * Copies the record's strings into the pool, so that it outlives the
 * transaction it was read in; 0, or -1 when the pool is exhausted
 */
int hd_record_strings_copy(const hd_record_desc_t *desc, void *rec,
    hd_pool_t *pool);

/* the kind and version in a record's header, or -1 */
int hd_record_kind(const void *data, size_t len, uint8_t *version);


/* varints and big-endian keys, shared with indexes */
size_t hd_varint_put(hd_uchar *p, uint64_t v);
size_t hd_varint_get(const hd_uchar *p, const hd_uchar *end, uint64_t *v);
void hd_be64_put(hd_uchar *p, uint64_t v);
/* inline: index values are compared by it on hot paths */
static inline uint64_t
hd_be64_get(const hd_uchar *p)
{
    uint64_t  x;

    memcpy(&x, p, 8);

#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    x = __builtin_bswap64(x);
#endif

    return x;
}
void hd_be32_put(hd_uchar *p, uint32_t v);
static inline uint32_t
hd_be32_get(const hd_uchar *p)
{
    return (uint32_t) p[0] << 24 | (uint32_t) p[1] << 16
           | (uint32_t) p[2] << 8 | p[3];
}


#endif /* HD_RECORD_H */
