/*
 * Preloaded into nbd-server (LD_PRELOAD) by nbdmux: two fixes for Debian's nbd-server 3.24 that
 * need no change to its binary.
 *
 * Built without libc's start files (-nostdlib); the one libc function used, syscall(), is
 * resolved in nbd-server's own process when the library is loaded.
 */
typedef struct gnutls_dh_params_int *gnutls_dh_params_t;

long syscall(long number, ...);

#define SYS_listen_x86_64 50
#define SYS_listen_aarch64 201

/*
 * nbd-server generates 2048-bit Diffie-Hellman parameters with GnuTLS every time it starts, after
 * binding its port and before accepting, whether or not TLS is configured: a random prime search
 * that is the whole price of a new export name, because nbdmux must restart the listener to add
 * one (SIGHUP corrupts nbd-server 3.24). nbdmux never configures TLS, so the parameters are never
 * used. If nbdmux ever configures TLS, it must stop preloading this (see NbdServerPreload).
 */
int gnutls_dh_params_generate2(gnutls_dh_params_t dparams, unsigned int bits)
{
    (void)dparams;
    (void)bits;
    return 0; /* GNUTLS_E_SUCCESS */
}

/*
 * nbd-server listens with a backlog of 10 and accepts one client at a time: when a rack of
 * machines powers on together, connections beyond the backlog are dropped by the kernel and their
 * clients hang at the greeting. The kernel caps the backlog at net.core.somaxconn.
 */
int listen(int fd, int backlog)
{
    (void)backlog;
#if defined(__x86_64__)
    return (int)syscall(SYS_listen_x86_64, fd, 4096);
#elif defined(__aarch64__)
    return (int)syscall(SYS_listen_aarch64, fd, 4096);
#else
#error "listen(2)'s system call number is not known for this architecture"
#endif
}
