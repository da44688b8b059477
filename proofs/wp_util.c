/* wp_util.c -- WP translation unit: the non-templated core (binary64 side).
 *
 * The PRNG and the shape/validation functions; the model layer's init.c
 * (cep_init_theta, cep_init_data) belongs here too.
 */
#include "wp_prelude.h"
#include "util/prng.c"

/* The lemma function declared in prng.acsl, proved here. */
/* x >> k == (x >> (k-1)) / 2 since x >= 0 (lsr_add, then lsr_1): eleven
 * halvings are one division by 2^11. */
/*@ ghost
  void lemma_shr11(uint64_t x)
  {
      /@ assert step1: (x >> 1) == x / 2; @/
      /@ assert step2: (x >> 2) == (x >> 1) / 2; @/
      /@ assert step3: (x >> 3) == (x >> 2) / 2; @/
      /@ assert step4: (x >> 4) == (x >> 3) / 2; @/
      /@ assert step5: (x >> 5) == (x >> 4) / 2; @/
      /@ assert step6: (x >> 6) == (x >> 5) / 2; @/
      /@ assert step7: (x >> 7) == (x >> 6) / 2; @/
      /@ assert step8: (x >> 8) == (x >> 7) / 2; @/
      /@ assert step9: (x >> 9) == (x >> 8) / 2; @/
      /@ assert step10: (x >> 10) == (x >> 9) / 2; @/
      /@ assert step11: (x >> 11) == (x >> 10) / 2; @/
  }
*/

/* The lemma functions declared in shape.acsl, proved here. */
/*@ ghost
  void lemma_size_product(size_t a, size_t b) { }
*/

/*@ ghost
  void lemma_shape_blocks(cep_shape *sh)
  {
    /@ loop invariant bound: 1 <= l <= sh->n_layers;
       loop invariant blocks: \forall integer k, k2; 1 <= k < k2 <= l ==>
         sh->s_off[k] + sh->size[k] <= sh->s_off[k2] &&
         sh->b_off[k] + sh->size[k] <= sh->W_off[k2];
       loop assigns l;
       loop variant sh->n_layers - l;
    @/
    for (size_t l = 1; l < sh->n_layers; l++) {
      /@ assert next: sh->s_off[l + 1] == sh->s_off[l] + sh->size[l] &&
                      sh->W_off[l + 1] == sh->b_off[l] + sh->size[l]; @/
      /@ assert mono: sh->W_off[l] <= sh->b_off[l]; @/
      /@ assert step: \forall integer k; 1 <= k <= l ==>
           sh->s_off[k] + sh->size[k] <= sh->s_off[l + 1] &&
           sh->b_off[k] + sh->size[k] <= sh->W_off[l + 1]; @/
    }
    /@ assert N: \let N = sh->n_layers; sh->W_off[N] <= sh->b_off[N] &&
         sh->S == sh->s_off[N] + sh->size[N] && sh->P == sh->b_off[N] + sh->size[N]; @/
    /@ assert disjoint: \forall integer k, k2; 1 <= k < k2 <= sh->n_layers ==>
         sh->s_off[k] + sh->size[k] <= sh->s_off[k2] &&
         sh->b_off[k] + sh->size[k] <= sh->W_off[k2]; @/
    /@ assert inside: \forall integer k; 1 <= k <= sh->n_layers ==>
         sh->s_off[k] + sh->size[k] <= sh->S && sh->b_off[k] + sh->size[k] <= sh->P; @/
  }
*/

/*@ ghost
  void lemma_shape_sizes(cep_shape *sh) { }
*/

/*@ ghost
  void lemma_W_len_index(const cep_shape *sh, size_t l)
  {
    /@ assert idx: (size_t)(l - 1) == l - 1; @/
  }
*/

/* An instance of shape_ok; the product with C's index from
 * lemma_W_len_index. */
/*@ ghost
  void lemma_W_block(const cep_shape *sh, size_t l)
  {
    /@ assert off: sh->b_off[l] == sh->W_off[l] + W_len(sh, l); @/
    /@ assert in_P: sh->b_off[l] + sh->size[l] <= sh->P; @/
    /@ assert n: sh->n_layers <= CEP_MAX_LAYERS; @/
    lemma_W_len_index(sh, l);
  }
*/

/* Downward induction on l: max_size(l) <= max_size(N) and every size[k]
 * with l < k <= N is below max_size(N); each step unfolds max_size once. */
/*@ ghost
  void lemma_shape_max(cep_shape *sh)
  {
    /@ loop invariant bound: 0 <= l <= sh->n_layers;
       loop invariant mono: max_size(sh, l) <= max_size(sh, sh->n_layers);
       loop invariant above: \forall integer k; l < k <= sh->n_layers ==>
         sh->size[k] <= max_size(sh, sh->n_layers);
       loop assigns l;
       loop variant l;
    @/
    for (size_t l = sh->n_layers; l > 0; l--) {
      /@ assert unfold: max_size(sh, l) == \max(max_size(sh, l - 1), (integer)sh->size[l]); @/
    }
  }
*/

/* cep_shape_init starts with memset(sh, 0, sizeof *sh).  Frama-C's memset
 * writes through a char *, which WP's typed memory model cannot map onto the
 * fields of a struct (every later goal becomes "Stronger" and unprovable).
 * In this unit only, that call is analysed as a no-op.  This is a sound
 * abstraction for cep_shape_init's contract: *sh is in its assigns clause,
 * and everything the contract states about *sh holds for any initial
 * contents of *sh, in particular for the all-zero contents that memset
 * gives (the proof never uses the zeros).  Listed in the report's trust
 * notes. */
#define memset(s, c, n) ((void)0)
#include "model/shape.c"
#undef memset

/* The model layer's binary64-only initialisation (cep_init_theta,
 * cep_init_data), which draws from the PRNG above. */
#include "model/init.c"
