/* plan_explain.c -- df.explain(): the plan as an indented operator tree, in Spark's shape
 * ("== Physical Plan ==", one operator per line, children under "+- "), so that students
 * reading Spark's own explain output later recognise it. */
#include "plan/plan.h"

#include <string.h>

static const char *how_name(lp_join_how h) {
    static const char *n[] = {"Inner", "LeftOuter", "RightOuter", "FullOuter", "LeftSemi", "LeftAnti", "Cross"};
    return h <= LP_JOIN_CROSS ? n[h] : "?";
}

static const char *agg_name(lp_aggfn f) {
    static const char *n[] = {"count(1)", "count", "count(distinct)", "sum", "avg", "min", "max", "stddev_samp",
                              "stddev_pop", "var_samp", "var_pop", "first", "last", "median", "percentile",
                              "percentile_approx", "collect_list"};
    return f <= LP_AGG_COLLECT_LIST ? n[f] : "?";
}

static void cols_list(const lp_plan *p, lp_strbuf *out) {
    for (int i = 0; i < p->ncols; i++) lp_strbuf_printf(out, "%s%s", i ? ", " : "", p->names[i]);
}

static void node_line(const lp_plan *p, lp_strbuf *out) {
    const lp_plan *in = p->in[0];
    switch ((lp_plan_kind)p->kind) {
    case LP_PLAN_TABLE:
        lp_strbuf_printf(out, "Scan %s [", p->label ? p->label : "table");
        cols_list(p, out);
        lp_strbuf_printf(out, "] (%lld rows)", (long long)p->cached->nrows);
        break;
    case LP_PLAN_FILTER:
        lp_strbuf_puts(out, "Filter ");
        lp_expr_format(p->pred, out);
        break;
    case LP_PLAN_PROJECT:
        lp_strbuf_puts(out, "Project [");
        for (int i = 0; i < p->ncols; i++) {
            if (i) lp_strbuf_puts(out, ", ");
            lp_strbuf tmp;
            lp_strbuf_init(&tmp);
            lp_expr_format(p->exprs[i], &tmp);
            lp_strbuf_append(out, tmp.p ? tmp.p : "", tmp.len);
            if (!tmp.p || strcmp(tmp.p, p->names[i]) != 0) lp_strbuf_printf(out, " AS %s", p->names[i]);
            lp_strbuf_reset(&tmp);
        }
        lp_strbuf_puts(out, "]");
        break;
    case LP_PLAN_AGG:
        lp_strbuf_puts(out, "HashAggregate(keys=[");
        for (int i = 0; i < p->nkeys; i++) lp_strbuf_printf(out, "%s%s", i ? ", " : "", in->names[p->keys[i]]);
        lp_strbuf_puts(out, "], functions=[");
        for (int i = 0; i < p->naggs; i++) {
            const lp_aggspec *s = &p->aggs[i];
            if (s->fn == LP_AGG_COUNT_STAR) lp_strbuf_printf(out, "%scount(1)", i ? ", " : "");
            else lp_strbuf_printf(out, "%s%s(%s)", i ? ", " : "", agg_name(s->fn), in->names[s->col]);
        }
        lp_strbuf_puts(out, "])");
        break;
    case LP_PLAN_SORT:
        lp_strbuf_puts(out, p->limit >= 0 ? "TakeOrdered [" : "Sort [");
        for (int i = 0; i < p->nsort; i++)
            lp_strbuf_printf(out, "%s%s %s NULLS %s", i ? ", " : "", in->names[p->sort[i].col],
                             p->sort[i].desc ? "DESC" : "ASC", p->sort[i].nulls_first ? "FIRST" : "LAST");
        lp_strbuf_puts(out, "]");
        break;
    case LP_PLAN_LIMIT:
        lp_strbuf_printf(out, "Limit %lld", (long long)p->limit);
        break;
    case LP_PLAN_DISTINCT:
        lp_strbuf_puts(out, "Deduplicate [");
        if (p->ndistinct == 0) cols_list(in, out);
        for (int i = 0; i < p->ndistinct; i++) lp_strbuf_printf(out, "%s%s", i ? ", " : "", in->names[p->cols[i]]);
        lp_strbuf_puts(out, "]");
        break;
    case LP_PLAN_JOIN:
        lp_strbuf_printf(out, "HashJoin %s [", how_name(p->how));
        for (int i = 0; i < p->njoinkeys; i++)
            lp_strbuf_printf(out, "%s%s = %s", i ? ", " : "", in->names[p->lkeys[i]], p->in[1]->names[p->rkeys[i]]);
        lp_strbuf_puts(out, "]");
        break;
    case LP_PLAN_UNION:
        lp_strbuf_puts(out, "Union");
        break;
    case LP_PLAN_SAMPLE:
        lp_strbuf_printf(out, "Sample %g, seed %llu", p->fraction, (unsigned long long)p->seed);
        break;
    case LP_PLAN_GENERATE:
        if (p->genkind == LP_GEN_WINDOW) {
            lp_strbuf_puts(out, "Expand ");
            lp_expr_format(p->gen, out);
        } else {
            static const char *const gn[] = {"explode", "explode_outer", "posexplode", "posexplode_outer"};
            lp_strbuf_printf(out, "Generate %s(", gn[p->genkind]);
            lp_expr_format(p->gen, out);
            lp_strbuf_putc(out, ')');
        }
        break;
    case LP_PLAN_WINDOW:
        /* Spark's: Window [calls], [partition keys], [order keys] */
        lp_strbuf_puts(out, "Window [");
        for (int i = 0; i < p->nwins; i++) lp_strbuf_printf(out, "%s%s", i ? ", " : "", p->wins[i].name);
        lp_strbuf_puts(out, "], [");
        for (int i = 0; i < p->nkeys; i++) lp_strbuf_printf(out, "%s%s", i ? ", " : "", in->names[p->keys[i]]);
        lp_strbuf_puts(out, "], [");
        for (int i = 0; i < p->nsort; i++)
            lp_strbuf_printf(out, "%s%s %s NULLS %s", i ? ", " : "", in->names[p->sort[i].col],
                             p->sort[i].desc ? "DESC" : "ASC", p->sort[i].nulls_first ? "FIRST" : "LAST");
        lp_strbuf_puts(out, "]");
        break;
    }
    if (p->cache) lp_strbuf_puts(out, p->cached && p->kind != LP_PLAN_TABLE ? " (cached)" : " (cache)");
}

/* Spark's tree string: a child that has a sibling after it is drawn ":- " and its subtree
 * continues under ":  "; the last child is "+- " with "   " under it. `last` holds, per
 * ancestor level, whether that ancestor was the last child. */
static void walk(const lp_plan *p, int depth, bool *last, lp_strbuf *out) {
    for (int i = 1; i < depth; i++) lp_strbuf_puts(out, last[i] ? "   " : ":  ");
    if (depth) lp_strbuf_puts(out, last[depth] ? "+- " : ":- ");
    node_line(p, out);
    lp_strbuf_putc(out, '\n');
    if (p->kind == LP_PLAN_TABLE || (p->cache && p->cached) || depth >= 62) return;
    for (int i = 0; i < 2; i++)
        if (p->in[i]) {
            last[depth + 1] = i == 1 || !p->in[1];
            walk(p->in[i], depth + 1, last, out);
        }
}

void lp_plan_explain(const lp_plan *p, lp_strbuf *out) {
    lp_strbuf_puts(out, "== Physical Plan ==\n");
    bool last[64] = {true};
    walk(p, 0, last, out);
}
