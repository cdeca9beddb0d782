/* Every ktest case, one KT_CASE(function) line each; the functions live in
 * the *_tests.c file of their area (rtl_tests.c, ke_tests.c, ex_tests.c,
 * io_tests.c ...). */
KT_CASE(kt_smoke)
