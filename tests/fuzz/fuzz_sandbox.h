/* fuzz_sandbox.h -- confines the language fuzzer's file access (fuzz_sandbox.c). */
#ifndef FUZZ_SANDBOX_H
#define FUZZ_SANDBOX_H

/* While armed, the wrapped file calls refuse absolute paths, ".." and changes to data/<fixture>
 * (fixture_names: NULL-terminated), and take relative paths from the directory scratch. Both
 * are borrowed for as long as the sandbox is used. */
void fuzz_sandbox_arm(const char *scratch, const char *const *fixture_names);
void fuzz_sandbox_disarm(void);
/* Removes every file an input left in the scratch directory and in its data/, except the
 * fixtures. Uses the real calls, armed or not. */
void fuzz_sandbox_clean(void);

#endif
