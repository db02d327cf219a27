/*
 * The administrator's staff list (SPEC §9): every staff account with its
 * role, departments, knowledge-base right and whether it is disabled; a
 * page adds each one's form (the roles to choose, every department to
 * tick) and the departments the new account's form offers. The
 * departments, each with how many staff work in it.
 */

#include "hd_view.h"
#include "hd_product.h"


typedef struct {
    const hd_viewer_t   *viewer;
    hd_pool_t           *pool;
    hd_department_t     *departments;
    size_t               ndepartments;
} hd_view_staff_admin_t;


/* the departments as a form's checkboxes, those of s ticked */
static hd_val_t *
hd_view_staff_choices(hd_view_staff_admin_t *sa, const hd_staff_info_t *s)
{
    size_t      d, k;
    hd_val_t   *list, *dep;
    hd_pool_t  *pool = sa->pool;

    list = hd_val_list(pool);

    for (d = 0; d < sa->ndepartments; d++) {
        dep = hd_val_map(pool);
        hd_val_set_int(pool, dep, "id", (int64_t) sa->departments[d].id);
        hd_val_set_str(pool, dep, "name", sa->departments[d].name.data,
                       sa->departments[d].name.len);

        for (k = 0; s != NULL && k < s->n; k++) {
            if (s->departments[k] == sa->departments[d].id) {
                hd_val_set_bool(pool, dep, "checked", 1);
                break;
            }
        }

        if (s != NULL) {
            hd_val_set_int(pool, dep, "staff", (int64_t) s->account.id);
        }

        hd_val_push(pool, list, dep);
    }

    return list;
}


static hd_val_t *
hd_view_staff_member(hd_view_staff_admin_t *sa, const hd_staff_info_t *s)
{
    size_t      i, k;
    hd_val_t   *item, *deps, *roles, *role;
    hd_pool_t  *pool = sa->pool;

    item = hd_val_map(pool);
    deps = hd_val_list(pool);

    if (item == NULL || deps == NULL) {
        return NULL;
    }

    hd_val_set_int(pool, item, "id", (int64_t) s->account.id);
    hd_view_set_ref(pool, item, "login", &s->account.login, 0);
    hd_view_set_ref(pool, item, "email", &s->account.email, 0);
    hd_view_set_ref(pool, item, "name", &s->account.name, 0);
    hd_val_set_cstr(pool, item, "role",
                    hd_role_names[s->account.role % HD_ROLE_COUNT]);
    hd_val_set_bool(pool, item, "disabled",
                    s->account.state == HD_ACCOUNT_DISABLED);
    hd_val_set_bool(pool, item, "kb_editor",
                    hd_account_may(&s->account, HD_RIGHT_KB_EDIT));

    for (i = 0; i < s->n; i++) {
        hd_val_push(pool, deps, hd_val_int(pool, (int64_t) s->departments[i]));
    }

    hd_val_set(pool, item, "departments", deps);

    if (!sa->viewer->page) {
        return item;
    }

    /* the page's form of the account: its own role cannot be changed */
    hd_val_set_page(pool, item, "administrator",
                    hd_val_bool(s->account.role == HD_ROLE_ADMINISTRATOR));
    hd_val_set_page(pool, item, "self",
                    hd_val_bool(s->account.id == sa->viewer->account->id));

    roles = hd_val_list(pool);

    for (k = HD_ROLE_AGENT; k < HD_ROLE_COUNT; k++) {
        role = hd_val_map(pool);
        hd_val_set_cstr(pool, role, "value", hd_role_names[k]);
        hd_val_set_bool(pool, role, "selected", s->account.role == k);
        hd_val_push(pool, roles, role);
    }

    hd_val_set_page(pool, item, "roles", roles);
    hd_val_set_page(pool, item, "department_choices",
                    hd_view_staff_choices(sa, s));

    return item;
}


/* the staff and (for a page) the departments, read in one transaction */
static hd_rc
hd_view_staff_read(hd_store_t *store, hd_view_staff_admin_t *sa,
    hd_staff_info_t **staff, size_t *n, hd_err_t *err)
{
    hd_rc     rc;
    hd_txn_t  txn;

    rc = hd_txn_begin(store, &txn, HD_TXN_READ | HD_TXN_CACHED, err);
    if (rc != HD_OK) {
        return rc;
    }

    *staff = NULL;
    *n = 0;
    sa->departments = NULL;
    sa->ndepartments = 0;

    rc = hd_staff_list(&txn, sa->pool, staff, n);

    if (rc == HD_OK && sa->viewer->page) {
        rc = hd_department_list(&txn, sa->pool, &sa->departments,
                                &sa->ndepartments);
    }

    hd_txn_abort(&txn);

    if (rc != HD_OK) {
        return hd_err_set(err, rc, NULL, "io",
                          "the staff cannot be read (%s)", hd_rc_name(rc));
    }

    return HD_OK;
}


/* the list (id 0) or the member id, from one read */
static hd_rc
hd_view_staff_of(hd_store_t *store, const hd_viewer_t *viewer, uint64_t id,
    hd_pool_t *pool, hd_val_t **view, hd_err_t *err)
{
    size_t                  i, n;
    hd_rc                   rc;
    hd_val_t               *list, *item;
    hd_staff_info_t        *staff;
    hd_view_staff_admin_t   sa;

    sa.viewer = viewer;
    sa.pool = pool;

    rc = hd_view_staff_read(store, &sa, &staff, &n, err);
    if (rc != HD_OK) {
        return rc;
    }

    list = hd_val_list(pool);

    for (i = 0; list != NULL && i < n; i++) {
        if (id != 0 && staff[i].account.id != id) {
            continue;
        }

        item = hd_view_staff_member(&sa, &staff[i]);

        if (item == NULL || hd_val_push(pool, list, item) != 0) {
            list = NULL;

        } else if (id != 0) {
            *view = item;
            return HD_OK;
        }
    }

    if (list != NULL && id != 0) {
        return hd_err_set(err, HD_NOT_FOUND, NULL, "not_found",
                          "account %llu is not staff",
                          (unsigned long long) id);
    }

    if (list == NULL || (*view = hd_val_map(pool)) == NULL) {
        return hd_err_set(err, HD_NOMEM, NULL, "io", "no memory for staff");
    }

    hd_val_set(pool, *view, "staff", list);

    if (viewer->page) {
        hd_val_set_page(pool, *view, "title",
                        hd_val_word(pool, "admin.", "staff"));
        hd_val_set_page(pool, *view, "all_departments",
                        hd_view_staff_choices(&sa, NULL));
    }

    return HD_OK;
}


hd_rc
hd_view_admin_staff(hd_store_t *store, const hd_viewer_t *viewer,
    hd_pool_t *pool, hd_val_t **view, hd_err_t *err)
{
    return hd_view_staff_of(store, viewer, 0, pool, view, err);
}


hd_rc
hd_view_admin_staff_member(hd_store_t *store, const hd_viewer_t *viewer,
    uint64_t id, hd_pool_t *pool, hd_val_t **view, hd_err_t *err)
{
    return hd_view_staff_of(store, viewer, id ? id : UINT64_MAX, pool, view,
                            err);
}


/* --- departments ---------------------------------------------------------- */


/* how many staff work in the department */
static size_t
hd_view_department_staff(const hd_staff_info_t *staff, size_t n,
    uint64_t department)
{
    size_t  i, k, count = 0;

    for (i = 0; i < n; i++) {
        for (k = 0; k < staff[i].n; k++) {
            if (staff[i].departments[k] == department) {
                count++;
                break;
            }
        }
    }

    return count;
}


/*
 * The departments with the staff in each (id 0), or the one id; a page's
 * "editing": the one its path names (HD_NOT_FOUND when there is none)
 */
static hd_rc
hd_view_departments_of(hd_store_t *store, const hd_viewer_t *viewer,
    uint64_t id, uint64_t editing, hd_pool_t *pool, hd_val_t **view,
    hd_err_t *err)
{
    size_t            i, n, ns;
    hd_rc             rc;
    hd_txn_t          txn;
    hd_val_t         *list, *item;
    hd_staff_info_t  *staff = NULL;
    hd_department_t  *deps = NULL;

    rc = hd_txn_begin(store, &txn, HD_TXN_READ | HD_TXN_CACHED, err);
    if (rc != HD_OK) {
        return rc;
    }

    n = ns = 0;
    rc = hd_department_list(&txn, pool, &deps, &n);

    if (rc == HD_OK) {
        rc = hd_staff_list(&txn, pool, &staff, &ns);
    }

    hd_txn_abort(&txn);

    if (rc != HD_OK) {
        return hd_err_set(err, rc, NULL, "io",
                          "the departments cannot be read (%s)",
                          hd_rc_name(rc));
    }

    list = hd_val_list(pool);
    *view = hd_val_map(pool);

    if (list == NULL || *view == NULL) {
        return hd_err_set(err, HD_NOMEM, NULL, "io",
                          "no memory for the departments");
    }

    for (i = 0; i < n; i++) {
        if (id != 0 && deps[i].id != id) {
            continue;
        }

        item = hd_val_map(pool);
        hd_val_set_int(pool, item, "id", (int64_t) deps[i].id);
        hd_view_set_ref(pool, item, "name", &deps[i].name, 0);
        hd_val_set_bool(pool, item, "general",
                        (deps[i].flags & HD_DEPARTMENT_GENERAL) != 0);
        hd_val_set_bool(pool, item, "feedback",
                        (deps[i].flags & HD_DEPARTMENT_FEEDBACK) != 0);
        hd_val_set_int(pool, item, "staff",
                       (int64_t) hd_view_department_staff(staff, ns,
                                                          deps[i].id));

        if (id != 0) {
            *view = item;
            return HD_OK;
        }

        hd_val_push(pool, list, item);

        if (deps[i].id == editing && viewer->page) {
            hd_val_set_page(pool, *view, "editing", item);
        }
    }

    if (id != 0
        || (editing != 0 && hd_val_get(*view, "editing", 7) == NULL))
    {
        return hd_err_set(err, HD_NOT_FOUND, NULL, "not_found",
                          "department %llu does not exist",
                          (unsigned long long) (id ? id : editing));
    }

    hd_val_set(pool, *view, "departments", list);

    if (viewer->page) {
        hd_val_set_page(pool, *view, "title",
                        hd_val_word(pool, "admin.", "departments"));
    }

    return HD_OK;
}


hd_rc
hd_view_admin_departments(hd_store_t *store, const hd_viewer_t *viewer,
    uint64_t editing, hd_pool_t *pool, hd_val_t **view, hd_err_t *err)
{
    return hd_view_departments_of(store, viewer, 0, editing, pool, view, err);
}


hd_rc
hd_view_admin_department(hd_store_t *store, const hd_viewer_t *viewer,
    uint64_t id, hd_pool_t *pool, hd_val_t **view, hd_err_t *err)
{
    return hd_view_departments_of(store, viewer, id ? id : UINT64_MAX, 0,
                                  pool, view, err);
}
