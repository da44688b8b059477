/* scope_contracts.h -- contracts of the binary64 scope functions.
 *
 * src/scalar/scope.c holds both instantiations in one file; its binary64
 * pair does nothing but mark the scope inactive.  The contracts sit on these
 * declarations (Frama-C merges them with the definitions, which the WP
 * translation unit includes, so WP proves the bodies against them).  The
 * MPFR pair is out of WP's scope (proofs.mk WP_SKIP).
 */
#ifndef CEP_SCOPE_CONTRACTS_H
#define CEP_SCOPE_CONTRACTS_H

/*@ requires valid_scope: \valid(scope);
    assigns scope->active;
    ensures inactive: scope->active == 0;
*/
void cep_scope_enter_d(cep_scope *scope, const cep_ctx *ctx);

/*@ assigns \nothing; */
void cep_scope_leave_d(cep_scope *scope);

#endif
