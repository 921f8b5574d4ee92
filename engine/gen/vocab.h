/* vocab.h -- the word lists and sentence templates the reviews generator draws from.
 *
 * Everything here is constant data compiled into the binary (engine/gen/vocab.c); the generator
 * (gen.c) only reads it, from any thread. A template is plain text with slots written as '$'
 * and one letter, expanded by gen.c:
 *   $P the product's noun (its category)   $F a feature of the category   $G a generic feature
 *   $B a brand      $A a positive adjective   $N a negative adjective   $I an intensifier
 *   $T a span of time   $D a device it was used with   $U a place or use   $R a person
 *   $M a small number word   $C a good verb phrase   $W a bad verb phrase
 * Nothing in the genuine lists says "honest review", "discount", "unbiased" or "exchange for":
 * those phrases belong to the planted `phrase` reviews only, so that a phrase search finds them.
 */
#ifndef LP_GEN_VOCAB_H
#define LP_GEN_VOCAB_H

typedef struct lp_gen_wordlist {
    const char *const *w;
    int n;
} lp_gen_wordlist;

/* A product category: the nouns a review calls it and the features it talks about. */
typedef struct lp_gen_category {
    lp_gen_wordlist nouns;
    lp_gen_wordlist features;
} lp_gen_category;

extern const lp_gen_category lp_gen_categories[];
extern const int lp_gen_ncategories;

/* Slot fillers, indexed by the slot letter minus 'A' (NULL list = not a filler slot). */
extern const lp_gen_wordlist lp_gen_slots[26];

/* Sentence templates by sentiment. */
extern const lp_gen_wordlist lp_gen_sent_pos, lp_gen_sent_neu, lp_gen_sent_neg;
/* Opening and closing sentences, used once per review. */
extern const lp_gen_wordlist lp_gen_open_pos, lp_gen_open_neg, lp_gen_close_pos, lp_gen_close_neg;
/* Summary templates by sentiment, and the short generic ones ("Five Stars"). */
extern const lp_gen_wordlist lp_gen_sum_pos, lp_gen_sum_neu, lp_gen_sum_neg, lp_gen_sum_generic;

/* Planted reviews: very short texts, promotional phrases, burst summaries. */
extern const lp_gen_wordlist lp_gen_short_texts, lp_gen_promo_phrases, lp_gen_hype_summaries;

/* Reviewer names. */
extern const lp_gen_wordlist lp_gen_first_names, lp_gen_last_names, lp_gen_nicknames;

#endif
