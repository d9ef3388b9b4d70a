/* Knowledge graphs: loading triples and links (formats, headers, every
 * malformed line named by file, line and field), the counts of
 * rec_kg_stats, linking to a dataset's items, the reference the training
 * options keep, and allocation failures. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "librec/librec.h"
#include "data/kg.h"
#include "model/family.h"
#include "train/train.h"

/* Loads triples (and links, unless NULL) written to files named t_name and
 * l_name; checks the status and message; returns the graph on success. */
static rec_kg *load_bytes(const char *t_name, const void *t, size_t t_len,
                          const char *l_name, const char *l, int expect,
                          const char *fragment)
{
    char *tp = rec_test_write_bytes(t_name, t, t_len);
    char *lp = l ? rec_test_write_file(l_name, l) : NULL;
    rec_kg *kg = (rec_kg *)1;
    int rc = rec_kg_load(&kg, tp, lp);
    free(tp);
    free(lp);
    ck_assert_rec(rc, expect, fragment);
    if (expect != REC_OK)
        ck_assert_ptr_null(kg);
    return kg;
}

static rec_kg *load(const char *triples, const char *links, int expect,
                    const char *fragment)
{
    return load_bytes("kg.txt", triples, strlen(triples), "links.txt", links, expect,
                      fragment);
}

static rec_kg_stats stats_of(const rec_kg *kg, const rec_dataset *ds)
{
    rec_kg_stats st = REC_KG_STATS_INIT;
    ck_assert_rec(rec_kg_stats_get(kg, ds, &st), REC_OK, NULL);
    return st;
}

static const char *entity(const rec_kg *kg, uint32_t e)
{
    const char *id = NULL;
    ck_assert_rec(rec_kg_entity_id(kg, e, &id), REC_OK, NULL);
    return id;
}

static const char *relation(const rec_kg *kg, uint32_t r)
{
    const char *id = NULL;
    ck_assert_rec(rec_kg_relation_id(kg, r, &id), REC_OK, NULL);
    return id;
}

/* ---- Good input ---- */

START_TEST(test_integer_ids)
{
    rec_kg *kg = load("0\t0\t3\n1\t1\t3\n3\t0\t2\n", NULL, REC_OK, NULL);
    ck_assert_uint_eq(rec_kg_n_entities(kg), 4);
    ck_assert_uint_eq(rec_kg_n_relations(kg), 2);
    /* First appearance, head before tail. */
    ck_assert_str_eq(entity(kg, 0), "0");
    ck_assert_str_eq(entity(kg, 1), "3");
    ck_assert_str_eq(entity(kg, 2), "1");
    ck_assert_str_eq(entity(kg, 3), "2");
    ck_assert_str_eq(relation(kg, 1), "1");
    ck_assert_uint_eq(kg->n_triples, 3);
    ck_assert_uint_eq(kg->head[2], 1);
    ck_assert_uint_eq(kg->relation[2], 0);
    ck_assert_uint_eq(kg->tail[2], 3);
    ck_assert_ptr_null(kg->link_items);
    rec_kg_stats st = stats_of(kg, NULL);
    ck_assert_uint_eq(st.n_entities, 4);
    ck_assert_uint_eq(st.n_relations, 2);
    ck_assert_uint_eq(st.n_triples, 3);
    ck_assert_uint_eq(st.lines_read, 3);
    ck_assert_uint_eq(st.duplicate_triples + st.self_loops + st.n_links, 0);
    rec_kg_free(kg);
}
END_TEST

START_TEST(test_string_ids_header_blank_lines)
{
    /* RecBole's typed header, tabs, spaces, blank lines, CRLF. */
    rec_kg *kg = load("head_id:token\trelation_id:token\ttail_id:token\r\n"
                      "\n"
                      "m.04ctbw8\tfilm.producer.film\tm.0bln8\r\n"
                      "   \t\n"
                      "  m.0c3wmn   film.film.actor \t m.02vxxgs  \n"
                      "\r\n",
                      NULL, REC_OK, NULL);
    ck_assert_uint_eq(rec_kg_n_entities(kg), 4);
    ck_assert_str_eq(entity(kg, 2), "m.0c3wmn");
    ck_assert_str_eq(entity(kg, 3), "m.02vxxgs");
    ck_assert_str_eq(relation(kg, 1), "film.film.actor");
    rec_kg_stats st = stats_of(kg, NULL);
    ck_assert_uint_eq(st.lines_read, 2);
    ck_assert_uint_eq(st.n_triples, 2);
    rec_kg_free(kg);

    /* Only the first line can be a header; a typed-looking later line is a
     * triple, and ids with a colon are not column names. */
    kg = load("a r b\nx:token y:token z:token\n", NULL, REC_OK, NULL);
    ck_assert_uint_eq(stats_of(kg, NULL).n_triples, 2);
    rec_kg_free(kg);
    kg = load("http://a:1 r:2 b:C\n", NULL, REC_OK, NULL);
    ck_assert_uint_eq(stats_of(kg, NULL).n_triples, 1);
    rec_kg_free(kg);
    /* A header with the wrong number of fields is still malformed. */
    load("a:token b:token\n", NULL, REC_EFORMAT, "kg.txt:1: expected 3 fields, found 2");
    /* Empty and header-only files are empty graphs; a BOM is dropped. */
    kg = load("", NULL, REC_OK, NULL);
    ck_assert_uint_eq(rec_kg_n_entities(kg), 0);
    rec_kg_free(kg);
    kg = load("\xEF\xBB\xBFh:token\tr:token\tt:token", NULL, REC_OK, NULL);
    ck_assert_uint_eq(rec_kg_n_entities(kg), 0);
    rec_kg_free(kg);
    kg = load("\xEF\xBB\xBF" "a r b", NULL, REC_OK, NULL);
    ck_assert_str_eq(entity(kg, 0), "a");
    rec_kg_free(kg);
}
END_TEST

START_TEST(test_duplicates_self_loops)
{
    rec_kg *kg = load("a r a\na r b\na r a\nb s b\na r b\nb s b\na s a\n", NULL, REC_OK,
                      NULL);
    rec_kg_stats st = stats_of(kg, NULL);
    ck_assert_uint_eq(st.lines_read, 7);
    ck_assert_uint_eq(st.n_triples, 4);
    ck_assert_uint_eq(st.duplicate_triples, 3);
    ck_assert_uint_eq(st.self_loops, 3); /* kept triples: (a r a), (b s b), (a s a) */
    ck_assert_uint_eq(kg->head[3], 0);
    ck_assert_uint_eq(kg->relation[3], 1);
    rec_kg_free(kg);
}
END_TEST

/* More triples than the hash set's first size, many repeated: the set
 * grows and still finds every repeat. */
START_TEST(test_many_triples)
{
    size_t n = 5000;
    char *text = malloc(n * 2 * 32);
    ck_assert_ptr_nonnull(text);
    char *p = text;
    for (size_t k = 0; k < 2 * n; k++)
        p += sprintf(p, "%zu\t%zu\t%zu\n", (k % n) / 7, (k % n) % 7, (k % n) + 1);
    rec_kg *kg = load_bytes("many.txt", text, (size_t)(p - text), NULL, NULL, REC_OK, NULL);
    free(text);
    rec_kg_stats st = stats_of(kg, NULL);
    ck_assert_uint_eq(st.n_triples, n);
    ck_assert_uint_eq(st.duplicate_triples, n);
    ck_assert_uint_eq(st.lines_read, 2 * n);
    rec_kg_free(kg);
}
END_TEST

/* ---- Malformed triples ---- */

START_TEST(test_malformed)
{
    load("a r b\na r\n", NULL, REC_EFORMAT, "kg.txt:2: expected 3 fields, found 2");
    load("a r b c\n", NULL, REC_EFORMAT, "kg.txt:1: expected 3 fields, found at least 4");
    load("a r b\n\na\tr\tb\tc\td\n", NULL, REC_EFORMAT,
         "kg.txt:3: expected 3 fields, found at least 4");
    /* One tab separates: two in a row enclose an empty field. */
    load("a\t\tb\n", NULL, REC_EFORMAT, "kg.txt:1: field 2 (relation): empty id");
    load("a\tr\t\n", NULL, REC_EFORMAT, "kg.txt:1: field 3 (tail): empty id");
    load("\ta r\n", NULL, REC_EFORMAT, "kg.txt:1: field 1 (head): empty id");
    load("x y z\na\xff r b\n", NULL, REC_EFORMAT,
         "kg.txt:2: field 1 (head): id is not valid UTF-8 ('a?')");
    static const char nul[] = "a r b\nc r d\0e\n";
    load_bytes("nul.txt", nul, sizeof nul - 1, NULL, NULL, REC_EFORMAT,
               "nul.txt:2: field 3 (tail): id contains a NUL byte ('d?e')");
    static const char alone[] = "a r b\n\0\n";
    load_bytes("nul2.txt", alone, sizeof alone - 1, NULL, NULL, REC_EFORMAT,
               "nul2.txt:2: expected 3 fields, found 1");
    /* Bare CR line endings: refused as the adjacency-list loader does. */
    load("a r b\rc r d\r", NULL, REC_EFORMAT,
         "kg.txt:1: field 3 (tail): id contains a carriage return");
    load("a r\rb c\n", NULL, REC_EFORMAT,
         "kg.txt:1: field 2 (relation): id contains a carriage return");
    /* A very long id is refused with a short excerpt. */
    size_t big = 5000;
    char *text = malloc(big + 16);
    ck_assert_ptr_nonnull(text);
    memcpy(text, "a r ", 4);
    memset(text + 4, 'x', big);
    load_bytes("long.txt", text, big + 4, NULL, NULL, REC_EFORMAT,
               "long.txt:1: field 3 (tail): id longer than 4096 bytes ('xxx");
    ck_assert_uint_lt(strlen(rec_last_error()), 256);
    free(text);
}
END_TEST

START_TEST(test_bad_files)
{
    rec_kg *kg = (rec_kg *)1;
    char *missing = rec_test_path("no-such-file.txt");
    ck_assert_rec(rec_kg_load(&kg, missing, NULL), REC_EIO, "no-such-file.txt");
    ck_assert_ptr_null(kg);
    const char *dir = rec_test_dir();
    ck_assert_rec(rec_kg_load(&kg, dir, NULL), REC_EIO, "cannot read");
    ck_assert_ptr_null(kg);
    char *good = rec_test_write_file("good.txt", "a r b\n");
    ck_assert_rec(rec_kg_load(&kg, good, missing), REC_EIO, "no-such-file.txt");
    ck_assert_ptr_null(kg);
    ck_assert_rec(rec_kg_load(&kg, good, dir), REC_EIO, dir);
    free(good);
    free(missing);

    ck_assert_rec(rec_kg_load(NULL, "x", NULL), REC_EINVAL, "rec_kg_load: out is NULL");
    kg = (rec_kg *)1;
    ck_assert_rec(rec_kg_load(&kg, NULL, NULL), REC_EINVAL, "rec_kg_load: triples is NULL");
    ck_assert_ptr_null(kg);
}
END_TEST

/* ---- Links ---- */

START_TEST(test_links)
{
    rec_kg *kg = load("e1 r e2\ne2 r e3\n",
                      "item_id:token\tentity_id:token\n"
                      "i1\te2\n"
                      "\n"
                      "i2 e9\n",
                      REC_OK, NULL);
    /* e9 occurs in no triple: an entity without edges, after the others. */
    ck_assert_uint_eq(rec_kg_n_entities(kg), 4);
    ck_assert_str_eq(entity(kg, 3), "e9");
    rec_kg_stats st = stats_of(kg, NULL);
    ck_assert_uint_eq(st.n_links, 2);
    ck_assert_uint_eq(st.n_triples, 2);
    ck_assert_uint_eq(kg->link_entity[0], 1);
    ck_assert_uint_eq(kg->link_entity[1], 3);
    rec_kg_free(kg);

    load("a r b\n", "i1 a\ni2 b\ni1 c\n", REC_EFORMAT,
         "links.txt:3: field 1 (item): 'i1' is already linked on line 1");
    load("a r b\n", "i1 a\n\ni2 b\ni3 a\n", REC_EFORMAT,
         "links.txt:4: field 2 (entity): 'a' is already linked on line 1");
    load("a r b\n", "i1 x\ni2 y\ni3 y\n", REC_EFORMAT,
         "links.txt:3: field 2 (entity): 'y' is already linked on line 2");
    load("a r b\n", "i1 a x\n", REC_EFORMAT, "links.txt:1: expected 2 fields, found 3");
    load("a r b\n", "i1\n", REC_EFORMAT, "links.txt:1: expected 2 fields, found 1");
    load("a r b\n", "i1\t\n", REC_EFORMAT, "links.txt:1: field 2 (entity): empty id");
    load("a r b\n", "i1 a\rb\n", REC_EFORMAT,
         "links.txt:1: field 2 (entity): id contains a carriage return");
    /* An empty links file links nothing (it is not "no links file"). */
    kg = load("a r b\n", "", REC_OK, NULL);
    ck_assert_ptr_nonnull(kg->link_items);
    rec_kg_free(kg);
}
END_TEST

/* ---- Linking to a dataset ---- */

static rec_dataset *items_dataset(void)
{
    const char *users[] = { "u", "u", "u", "v" };
    const char *items[] = { "i1", "i2", "i3", "i4" };
    rec_dataset *ds = NULL;
    ck_assert_rec(rec_dataset_from_arrays(&ds, 4, users, items, NULL, NULL, NULL, NULL),
                  REC_OK, NULL);
    return ds;
}

START_TEST(test_link_dataset)
{
    rec_dataset *ds = items_dataset();
    /* i3 and i4 have no link; i9 is not in the dataset; e3 has no item. */
    rec_kg *kg = load("e1 r e2\ne2 r e3\n", "i2 e2\ni1 e1\ni9 e4\n", REC_OK, NULL);
    uint32_t ie[4];
    rec_kg_stats st = REC_KG_STATS_INIT;
    ck_assert_rec(rec_kg_link(kg, ds, ie, &st), REC_OK, NULL);
    ck_assert_uint_eq(ie[0], 0);
    ck_assert_uint_eq(ie[1], 1);
    ck_assert_uint_eq(ie[2], UINT32_MAX);
    ck_assert_uint_eq(ie[3], UINT32_MAX);
    ck_assert_uint_eq(st.n_entities, 0); /* rec_kg_link leaves other fields */
    st = stats_of(kg, ds);
    ck_assert_uint_eq(st.n_links, 3);
    ck_assert_uint_eq(st.items_linked, 2);
    ck_assert_uint_eq(st.items_without_entity, 2);
    ck_assert_uint_eq(st.links_unknown_item, 1);
    ck_assert_uint_eq(st.entities_without_item, 2); /* e3 and e4 */
    ck_assert_rec(rec_kg_link(kg, ds, ie, NULL), REC_OK, NULL);
    /* Without a dataset the linking counts are 0. */
    st = stats_of(kg, NULL);
    ck_assert_uint_eq(st.items_linked + st.items_without_entity + st.links_unknown_item +
                      st.entities_without_item, 0);
    rec_kg_free(kg);

    /* Without a links file: the entity with the item's id string. */
    kg = load("i3 r x\nx r i1\n", NULL, REC_OK, NULL);
    ck_assert_rec(rec_kg_link(kg, ds, ie, NULL), REC_OK, NULL);
    ck_assert_uint_eq(ie[0], 2);
    ck_assert_uint_eq(ie[1], UINT32_MAX);
    ck_assert_uint_eq(ie[2], 0);
    ck_assert_uint_eq(ie[3], UINT32_MAX);
    st = stats_of(kg, ds);
    ck_assert_uint_eq(st.n_links, 0);
    ck_assert_uint_eq(st.items_linked, 2);
    ck_assert_uint_eq(st.items_without_entity, 2);
    ck_assert_uint_eq(st.links_unknown_item, 0);
    ck_assert_uint_eq(st.entities_without_item, 1);
    rec_kg_free(kg);
    rec_dataset_free(ds);
}
END_TEST

/* ---- Inspection and arguments ---- */

START_TEST(test_inspection)
{
    rec_kg *kg = load("a r b\n", NULL, REC_OK, NULL);
    const char *id = "x";
    ck_assert_rec(rec_kg_entity_id(kg, 2, &id), REC_EINVAL,
                  "rec_kg_entity_id: entity 2 is out of range (the graph has 2)");
    ck_assert_ptr_null(id);
    ck_assert_rec(rec_kg_relation_id(kg, 1, &id), REC_EINVAL, "rec_kg_relation_id: relation 1");
    ck_assert_rec(rec_kg_entity_id(NULL, 0, &id), REC_EINVAL, "kg is NULL");
    ck_assert_rec(rec_kg_entity_id(kg, 0, NULL), REC_EINVAL, "out is NULL");
    ck_assert_uint_eq(rec_kg_n_entities(NULL), 0);
    ck_assert_uint_eq(rec_kg_n_relations(NULL), 0);
    rec_kg_free(NULL);

    rec_kg_stats st = REC_KG_STATS_INIT;
    ck_assert_rec(rec_kg_stats_get(NULL, NULL, &st), REC_EINVAL, "kg is NULL");
    ck_assert_rec(rec_kg_stats_get(kg, NULL, NULL), REC_EINVAL, "stats is NULL");
    st.version = 0;
    ck_assert_rec(rec_kg_stats_get(kg, NULL, &st), REC_EINVAL, "stats->version is 0");
    st.version = REC_KG_STATS_VERSION + 1;
    ck_assert_rec(rec_kg_stats_get(kg, NULL, &st), REC_EINVAL, "stats->version is 2");
    st.version = REC_KG_STATS_VERSION;
    ck_assert_rec(rec_kg_stats_get(kg, NULL, &st), REC_OK, NULL);
    ck_assert_uint_eq(st.n_entities, 2);
    rec_kg_free(kg);
}
END_TEST

/* ---- Training options ---- */

START_TEST(test_options_reference)
{
    rec_kg *kg = load("0 r 1\n1 r 2\n", NULL, REC_OK, NULL);
    rec_train_options *o = NULL;
    ck_assert_rec(rec_train_options_new(&o, "mf"), REC_OK, NULL);
    ck_assert_rec(rec_train_options_set_kg(NULL, kg), REC_EINVAL,
                  "rec_train_options_set_kg: opts is NULL");
    ck_assert_rec(rec_train_options_set_kg(o, kg), REC_OK, NULL);
    ck_assert_rec(rec_train_options_set_kg(o, kg), REC_OK, NULL); /* the same again */
    /* The options keep the graph alive after the caller frees it. */
    rec_kg_free(kg);
    ck_assert_uint_eq(rec_kg_n_entities(o->kg), 3);

    /* A family that does not use a graph refuses one. */
    rec_dataset *ds = items_dataset();
    rec_model *m = (rec_model *)1;
    ck_assert_rec(rec_model_train(&m, ds, o), REC_EUNSUPPORTED,
                  "the mf family does not use a knowledge graph");
    ck_assert_ptr_null(m);
    /* Cleared, training goes on. */
    ck_assert_rec(rec_train_options_set(o, "epochs", "1"), REC_OK, NULL);
    ck_assert_rec(rec_train_options_set_kg(o, NULL), REC_OK, NULL);
    ck_assert_rec(rec_model_train(&m, ds, o), REC_OK, NULL);
    rec_model_free(m);

    /* Freed with the options while still set. */
    kg = load("0 r 1\n", NULL, REC_OK, NULL);
    ck_assert_rec(rec_train_options_set_kg(o, kg), REC_OK, NULL);
    rec_kg *other = load("x r y\n", NULL, REC_OK, NULL);
    ck_assert_rec(rec_train_options_set_kg(o, other), REC_OK, NULL); /* releases kg's */
    rec_kg_free(kg);
    rec_kg_free(other);
    rec_train_options_free(o);
    rec_dataset_free(ds);
}
END_TEST

/* A family that needs a graph and has none: no such family is built in
 * yet, so mf's description is copied and marked as one. */
START_TEST(test_family_needs_kg)
{
    rec_train_options *o = NULL;
    ck_assert_rec(rec_train_options_new(&o, "mf"), REC_OK, NULL);
    rec_family needs = *o->family;
    needs.name = "needs_kg";
    needs.uses_kg = 1;
    const rec_family *mf = o->family;
    o->family = &needs;
    rec_dataset *ds = items_dataset();
    rec_model *m = (rec_model *)1;
    ck_assert_rec(rec_train_model(&m, ds, o), REC_EINVAL,
                  "the needs_kg family needs a knowledge graph: load one with rec_kg_load");
    ck_assert_ptr_null(m);
    o->family = mf;
    rec_train_options_free(o);
    rec_dataset_free(ds);
}
END_TEST

/* ---- Allocation failures ---- */

typedef struct sweep_ctx {
    const char *triples, *links;
    const rec_dataset *ds;
} sweep_ctx;

static int load_op(void *p)
{
    const sweep_ctx *c = p;
    rec_kg *kg = (rec_kg *)1;
    int rc = rec_kg_load(&kg, c->triples, c->links);
    if (rc != REC_OK) {
        ck_assert_ptr_null(kg);
        /* The message names the file being read. */
        ck_assert(strstr(rec_last_error(), "kg_nomem"));
        return rc;
    }
    rc = rec_kg_stats_get(kg, c->ds, &(rec_kg_stats)REC_KG_STATS_INIT);
    rec_kg_free(kg);
    return rc;
}

START_TEST(test_nomem)
{
    char text[20000], *p = text;
    for (int k = 0; k < 1200; k++) /* enough to grow the hash set */
        p += sprintf(p, "e%d r%d e%d\n", k % 300, k % 3, k % 7);
    *p = '\0';
    char *links = rec_test_write_file("kg_nomem_links.txt", "i1 e1\ni2 new\n");
    sweep_ctx c = { rec_test_write_file("kg_nomem.txt", text), links, items_dataset() };
    ck_assert_int_gt(rec_test_alloc_sweep(load_op, &c), 0);
    c.links = NULL;
    ck_assert_int_gt(rec_test_alloc_sweep(load_op, &c), 0);
    free((char *)c.triples);
    c.triples = rec_test_write_file("kg_nomem2.txt", "");
    ck_assert_int_gt(rec_test_alloc_sweep(load_op, &c), 0);
    free((char *)c.triples);
    rec_dataset_free((rec_dataset *)c.ds);
    free(links);
}
END_TEST

Suite *rec_test_suite(void)
{
    Suite *s = suite_create("kg");
    TCase *tc = tcase_create("kg");
    tcase_add_test(tc, test_integer_ids);
    tcase_add_test(tc, test_string_ids_header_blank_lines);
    tcase_add_test(tc, test_duplicates_self_loops);
    tcase_add_test(tc, test_many_triples);
    tcase_add_test(tc, test_malformed);
    tcase_add_test(tc, test_bad_files);
    tcase_add_test(tc, test_links);
    tcase_add_test(tc, test_link_dataset);
    tcase_add_test(tc, test_inspection);
    tcase_add_test(tc, test_options_reference);
    tcase_add_test(tc, test_family_needs_kg);
    tcase_add_test(tc, test_nomem);
    suite_add_tcase(s, tc);
    return s;
}
