/*
 * JSON in the core: reading JSON documents (jansson) into template values,
 * for message catalogues and data given as JSON.
 */

#ifndef HD_JSON_H
#define HD_JSON_H


#include <jansson.h>

#include "hd_core.h"
#include "hd_value.h"


/* strings are copied into the pool; maps are indexed for fast lookups */
hd_val_t *hd_json_to_val(hd_pool_t *pool, json_t *json);


#endif /* HD_JSON_H */
