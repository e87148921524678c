// OpenBLAS's CBLAS interface (Debian: libopenblas-dev, LP64 — sizes are 32-bit ints).
#include <cblas.h>
// Declared by OpenBLAS, not by the standard cblas.h.
void openblas_set_num_threads(int num_threads);
int openblas_get_num_threads(void);
char *openblas_get_corename(void);
