/*
 * Preloaded into nbd-server (LD_PRELOAD) by nbdmux.
 *
 * Debian's nbd-server 3.24 generates 2048-bit Diffie-Hellman parameters with GnuTLS every time it
 * starts, after binding its port and before accepting, whether or not TLS is configured. That
 * costs 40-900 ms (a random prime search) and is the whole price of a new export name, because
 * nbdmux must restart the listener to add one (SIGHUP corrupts nbd-server 3.24). nbdmux never
 * configures TLS, so the parameters are never used: answering "generated" without generating them
 * cuts a listener restart to a few milliseconds. If nbdmux ever configures TLS, it must stop
 * preloading this (see NbdServerPreload).
 *
 * Built without libc (-nostdlib): the function needs nothing, and the build needs only a compiler.
 */
typedef struct gnutls_dh_params_int *gnutls_dh_params_t;

int gnutls_dh_params_generate2(gnutls_dh_params_t dparams, unsigned int bits)
{
    (void)dparams;
    (void)bits;
    return 0; /* GNUTLS_E_SUCCESS */
}
