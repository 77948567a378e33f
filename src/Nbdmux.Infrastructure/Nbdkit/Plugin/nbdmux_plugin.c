/*
 * nbdkit-nbdmux-plugin: the data plane of nbdmux (docs/nbdkit-plugin.md is the contract).
 *
 * One nbdkit process serves every export on one port and outlives nbdmux, so the plugin learns
 * nothing from nbdmux except files under STATEDIR (dir=):
 *   exports/NAME      the published record of an export (nbdmux writes, atomically)
 *   connections/ID    one file per open connection (the plugin writes, removes on close)
 *   cut/ID            "disconnect this connection" (nbdmux creates, the plugin acts and deletes)
 *   withheld/NAME     why a registered export was refused to a client (the plugin writes)
 *   cow/              private overlays of copy-on-write connections (O_TMPFILE, never named)
 * Every client re-reads its export's record in .open, so a published change needs no signal and
 * no restart, and a connected client keeps the file it opened.
 *
 * Everything a client or the file system can influence fails closed: a name, a record, an address
 * or a file that is not exactly what nbdmux registered is refused, and the reason is logged.
 */
#define _GNU_SOURCE
#define NBDKIT_API_VERSION 2
#include <nbdkit-plugin.h>

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <linux/openat2.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define THREAD_MODEL NBDKIT_THREAD_MODEL_PARALLEL

#define RECORD_MAX_BYTES (64 * 1024)
#define EXPORT_NAME_MAX 64
#define COW_BLOCK_SIZE (64 * 1024)
#define REASON_MAX 512
/* Files written by the plugin are named NAME or ID; their temporary dot-file adds pid and counter. */
#define TEMP_NAME_MAX (EXPORT_NAME_MAX + 64)

enum mode { MODE_RO, MODE_RW, MODE_COW };

struct cidr {
  int family;
  unsigned char address[16];
  unsigned prefix;
};

/* A parsed exports/NAME. root and path point into text, which the parser cut into lines. */
struct record {
  char *text;
  const char *root;
  const char *path;
  uint64_t root_dev, root_ino, dev, ino;
  enum mode mode;
  bool everyone;
  size_t cidr_count;
  struct cidr *cidrs;
};

enum record_status { RECORD_VALID, RECORD_MISSING, RECORD_INVALID };

/* The client's address, v4-mapped IPv6 reduced to IPv4 so one allow list covers dual-stack listeners. */
struct peer {
  int family; /* AF_INET, AF_INET6, or AF_UNSPEC for a peer without an IP address (a Unix socket) */
  unsigned char address[16];
  uint16_t port;
};

struct handle {
  char id[48];
  enum mode mode;
  int fd;
  int64_t size;
  /* Copy-on-write only: the private overlay and one bit per COW_BLOCK_SIZE block written to it. */
  int overlay;
  uint8_t *written;
  pthread_mutex_t overlay_lock;
  /* A duplicate of the client's socket, so that cut/ can shut the connection down; -1 if not found.
   * Owning a duplicate means the number can never refer to another client's socket later. */
  int socket;
  atomic_bool cut;
  struct handle *next;
};

static char *state_dir;
static int exports_dir = -1, connections_dir = -1, cut_dir = -1, withheld_dir = -1, cow_dir = -1;

static pthread_mutex_t registry_lock = PTHREAD_MUTEX_INITIALIZER;
static struct handle *registry;
static atomic_ulong connection_counter, temp_file_counter;

/* A client that has connected but not yet been served an export, with the moment it must have
 * been by: nbdkit 1.32 has no handshake timeout, and a socket that never negotiates would hold a
 * thread and a descriptor for ever. */
struct pending {
  struct peer peer;
  int socket; /* a duplicate of the client's socket, so that it can be shut down */
  struct timespec deadline;
  struct pending *next;
};

static long handshake_timeout_seconds = 10;
static pthread_mutex_t pending_lock = PTHREAD_MUTEX_INITIALIZER;
static struct pending *pending;

static pthread_t cut_watcher;
static bool cut_watcher_started;
static int cut_watcher_stop = -1;

/* ---- configuration ---------------------------------------------------------------------------- */

/* nbdkit 1.32.5 arms PR_SET_PDEATHSIG(SIGTERM) whether or not --exit-with-parent is given, so with
 * --foreground it would die with nbdmux, or even with the thread of nbdmux that started it. It must
 * outlive nbdmux and keep every client connected; this is the first plugin code nbdkit runs. */
static void
nbdmux_load (void)
{
  prctl (PR_SET_PDEATHSIG, 0);
}

static int
nbdmux_config (const char *key, const char *value)
{
  if (strcmp (key, "dir") == 0) {
    if (state_dir != NULL) {
      nbdkit_error ("dir= is given twice");
      return -1;
    }
    if (value[0] != '/') {
      nbdkit_error ("dir=%s must be an absolute path", value);
      return -1;
    }
    state_dir = strdup (value);
    if (state_dir == NULL) {
      nbdkit_error ("strdup: %m");
      return -1;
    }
    return 0;
  }
  /* Opaque to the plugin: it lets nbdmux recognise the nbdkit of its own build in /proc/PID/cmdline. */
  if (strcmp (key, "build") == 0)
    return 0;
  if (strcmp (key, "handshake_timeout") == 0) {
    char *end;
    errno = 0;
    handshake_timeout_seconds = strtol (value, &end, 10);
    if (errno != 0 || *end != '\0' || end == value || handshake_timeout_seconds < 1 || handshake_timeout_seconds > 3600) {
      nbdkit_error ("handshake_timeout=%s must be a number of seconds from 1 to 3600", value);
      return -1;
    }
    return 0;
  }
  nbdkit_error ("unknown parameter '%s' (the nbdmux plugin takes dir=, build= and handshake_timeout=)", key);
  return -1;
}

static int
nbdmux_config_complete (void)
{
  if (state_dir == NULL) {
    nbdkit_error ("dir=STATEDIR is required");
    return -1;
  }
  return 0;
}

static int
open_state_subdir (int state, const char *name)
{
  if (mkdirat (state, name, 0700) == -1 && errno != EEXIST) {
    nbdkit_error ("mkdir %s/%s: %m", state_dir, name);
    return -1;
  }
  int dir = openat (state, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (dir == -1)
    nbdkit_error ("open %s/%s: %m", state_dir, name);
  return dir;
}

/* Before the fork, so that a broken STATEDIR is reported on the terminal and nbdkit exits. */
static int
nbdmux_get_ready (void)
{
  int state = open (state_dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (state == -1) {
    nbdkit_error ("dir=%s: %m", state_dir);
    return -1;
  }
  exports_dir = open_state_subdir (state, "exports");
  connections_dir = open_state_subdir (state, "connections");
  cut_dir = open_state_subdir (state, "cut");
  withheld_dir = open_state_subdir (state, "withheld");
  cow_dir = open_state_subdir (state, "cow");
  close (state);
  return exports_dir == -1 || connections_dir == -1 || cut_dir == -1 || withheld_dir == -1 ||
    cow_dir == -1 ? -1 : 0;
}

/* ---- small file helpers ----------------------------------------------------------------------- */

static DIR *
list_directory (int dir)
{
  int fd = openat (dir, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd == -1)
    return NULL;
  DIR *listing = fdopendir (fd);
  if (listing == NULL)
    close (fd);
  return listing;
}

/* Readers (nbdmux) must never see a half-written file: write a dot-file, then rename it. */
static int
write_file_atomically (int dir, const char *name, const char *content)
{
  char temp[TEMP_NAME_MAX];
  snprintf (temp, sizeof temp, ".%s.%ld.%lu", name, (long) getpid (),
            atomic_fetch_add (&temp_file_counter, 1));
  int fd = openat (dir, temp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
  if (fd == -1)
    return -1;
  size_t length = strlen (content), done = 0;
  while (done < length) {
    ssize_t n = write (fd, content + done, length - done);
    if (n == -1) {
      int saved = errno;
      close (fd);
      unlinkat (dir, temp, 0);
      errno = saved;
      return -1;
    }
    done += n;
  }
  if (close (fd) == -1 || renameat (dir, temp, dir, name) == -1) {
    int saved = errno;
    unlinkat (dir, temp, 0);
    errno = saved;
    return -1;
  }
  return 0;
}

/* The client is refused either way; the file only tells nbdmux why, so failing to write it is logged.
 * A reason may quote a record's value: control characters are masked to keep it one printable line. */
static void
withhold (const char *name, const char *reason)
{
  char line[REASON_MAX + 2];
  snprintf (line, sizeof line, "%s", reason);
  for (char *c = line; *c; c++)
    if ((unsigned char) *c < 0x20 || *c == 0x7f)
      *c = '?';
  nbdkit_error ("export %s refused: %s", name, line);
  strcat (line, "\n");
  if (write_file_atomically (withheld_dir, name, line) == -1)
    nbdkit_error ("writing %s/withheld/%s: %m", state_dir, name);
}

/* ---- names, numbers, paths, addresses --------------------------------------------------------- */

/* ^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$: a name is also a file name under exports/, so this check is what
 * keeps a client's "../x", "a/b", ".hidden" or "" away from the file system altogether. */
static bool
valid_export_name (const char *name)
{
  size_t length = strlen (name);
  if (length == 0 || length > EXPORT_NAME_MAX)
    return false;
  for (size_t i = 0; i < length; i++) {
    char c = name[i];
    bool alphanumeric = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    if (!alphanumeric && (i == 0 || (c != '.' && c != '_' && c != '-')))
      return false;
  }
  return true;
}

/* Decimal without sign, spaces or leading zeros: one spelling per number, nothing for strtoull to forgive. */
static bool
parse_u64 (const char *text, uint64_t *value)
{
  if (text[0] == '\0' || (text[0] == '0' && text[1] != '\0'))
    return false;
  uint64_t result = 0;
  for (const char *c = text; *c; c++) {
    if (*c < '0' || *c > '9')
      return false;
    unsigned digit = *c - '0';
    if (result > (UINT64_MAX - digit) / 10)
      return false;
    result = result * 10 + digit;
  }
  *value = result;
  return true;
}

/* Components separated by single '/'; none empty, "." or "..". */
static bool
valid_relative_path (const char *path)
{
  const char *component = path;
  for (;;) {
    const char *end = strchrnul (component, '/');
    size_t length = end - component;
    if (length == 0 || (length == 1 && component[0] == '.') ||
        (length == 2 && component[0] == '.' && component[1] == '.'))
      return false;
    if (*end == '\0')
      return true;
    component = end + 1;
  }
}

static bool
valid_absolute_path (const char *path)
{
  return path[0] == '/' && (path[1] == '\0' || valid_relative_path (path + 1));
}

static bool
in_prefix (const unsigned char *address, const unsigned char *network, unsigned prefix)
{
  unsigned whole_bytes = prefix / 8, rest = prefix % 8;
  if (memcmp (address, network, whole_bytes) != 0)
    return false;
  if (rest == 0)
    return true;
  unsigned char mask = 0xff << (8 - rest);
  return (address[whole_bytes] & mask) == (network[whole_bytes] & mask);
}

/* Only the canonical spelling (what inet_ntop prints, host bits zero) is accepted, so that an allow
 * list means exactly what nbdmux displays. inet_pton refuses scope ids ("%eth0") by itself. */
static bool
parse_cidr (const char *text, struct cidr *cidr)
{
  char address[INET6_ADDRSTRLEN], canonical[INET6_ADDRSTRLEN];
  const char *slash = strchr (text, '/');
  if (slash == NULL || (size_t) (slash - text) >= sizeof address)
    return false;
  memcpy (address, text, slash - text);
  address[slash - text] = '\0';

  memset (cidr, 0, sizeof *cidr);
  cidr->family = strchr (address, ':') != NULL ? AF_INET6 : AF_INET;
  unsigned bits = cidr->family == AF_INET ? 32 : 128;
  uint64_t prefix;
  if (inet_pton (cidr->family, address, cidr->address) != 1 ||
      inet_ntop (cidr->family, cidr->address, canonical, sizeof canonical) == NULL ||
      strcmp (canonical, address) != 0 ||
      !parse_u64 (slash + 1, &prefix) || prefix > bits)
    return false;
  cidr->prefix = prefix;

  unsigned char network_only[16] = { 0 };
  memcpy (network_only, cidr->address, prefix / 8);
  if (prefix % 8 != 0)
    network_only[prefix / 8] = cidr->address[prefix / 8] & (0xff << (8 - prefix % 8));
  return memcmp (network_only, cidr->address, bits / 8) == 0;
}

static void
peer_from_sockaddr (const struct sockaddr_storage *storage, struct peer *peer)
{
  memset (peer, 0, sizeof *peer);
  peer->family = AF_UNSPEC;
  if (storage->ss_family == AF_INET) {
    const struct sockaddr_in *v4 = (const struct sockaddr_in *) storage;
    peer->family = AF_INET;
    memcpy (peer->address, &v4->sin_addr, 4);
    peer->port = ntohs (v4->sin_port);
  }
  else if (storage->ss_family == AF_INET6) {
    const struct sockaddr_in6 *v6 = (const struct sockaddr_in6 *) storage;
    peer->port = ntohs (v6->sin6_port);
    if (IN6_IS_ADDR_V4MAPPED (&v6->sin6_addr)) {
      peer->family = AF_INET;
      memcpy (peer->address, &v6->sin6_addr.s6_addr[12], 4);
    }
    else {
      peer->family = AF_INET6;
      memcpy (peer->address, &v6->sin6_addr, 16);
    }
  }
}

static int
current_peer (struct peer *peer)
{
  struct sockaddr_storage storage;
  socklen_t length = sizeof storage;
  memset (&storage, 0, sizeof storage);
  if (nbdkit_peer_name ((struct sockaddr *) &storage, &length) == -1)
    return -1;
  peer_from_sockaddr (&storage, peer);
  return 0;
}

static bool
same_peer (const struct peer *a, const struct peer *b)
{
  return a->family == b->family && a->port == b->port && memcmp (a->address, b->address, 16) == 0;
}

static void
format_peer (const struct peer *peer, char *text, size_t size)
{
  char address[INET6_ADDRSTRLEN];
  if (peer->family == AF_UNSPEC)
    snprintf (text, size, "local");
  else if (inet_ntop (peer->family, peer->address, address, sizeof address) == NULL)
    snprintf (text, size, "unknown");
  else if (peer->family == AF_INET6)
    snprintf (text, size, "[%s]:%u", address, peer->port);
  else
    snprintf (text, size, "%s:%u", address, peer->port);
}

static bool
admits (const struct record *record, const struct peer *peer)
{
  if (record->everyone)
    return true;
  for (size_t i = 0; i < record->cidr_count; i++)
    if (record->cidrs[i].family == peer->family &&
        in_prefix (peer->address, record->cidrs[i].address, record->cidrs[i].prefix))
      return true;
  return false;
}

/* ---- records ---------------------------------------------------------------------------------- */

static void
free_record (struct record *record)
{
  free (record->text);
  free (record->cidrs);
  memset (record, 0, sizeof *record);
}

enum record_key { KEY_VERSION, KEY_ROOT, KEY_ROOT_DEV, KEY_ROOT_INO, KEY_PATH, KEY_DEV, KEY_INO,
                  KEY_MODE, KEY_ALLOW, KEY_COUNT };
static const char *const record_keys[KEY_COUNT] = {
  "version", "root", "root_dev", "root_ino", "path", "dev", "ino", "mode", "allow"
};

static bool
parse_record_line (struct record *record, enum record_key key, char *value, char *reason)
{
  switch (key) {
  case KEY_VERSION:
    if (strcmp (value, "1") == 0)
      return true;
    break;
  case KEY_ROOT:
    record->root = value;
    if (valid_absolute_path (value))
      return true;
    break;
  case KEY_PATH:
    record->path = value;
    if (valid_relative_path (value))
      return true;
    break;
  case KEY_ROOT_DEV:
    if (parse_u64 (value, &record->root_dev))
      return true;
    break;
  case KEY_ROOT_INO:
    if (parse_u64 (value, &record->root_ino))
      return true;
    break;
  case KEY_DEV:
    if (parse_u64 (value, &record->dev))
      return true;
    break;
  case KEY_INO:
    if (parse_u64 (value, &record->ino))
      return true;
    break;
  case KEY_MODE:
    if (strcmp (value, "ro") == 0) { record->mode = MODE_RO; return true; }
    if (strcmp (value, "rw") == 0) { record->mode = MODE_RW; return true; }
    if (strcmp (value, "cow") == 0) { record->mode = MODE_COW; return true; }
    break;
  case KEY_ALLOW:
    if (strcmp (value, "everyone") == 0) {
      record->everyone = true;
      return true;
    }
    struct cidr *grown = realloc (record->cidrs, (record->cidr_count + 1) * sizeof *grown);
    if (grown == NULL) {
      snprintf (reason, REASON_MAX, "out of memory");
      return false;
    }
    record->cidrs = grown;
    if (parse_cidr (value, &record->cidrs[record->cidr_count])) {
      record->cidr_count++;
      return true;
    }
    break;
  case KEY_COUNT:
    break;
  }
  /* Values come from nbdmux, not from clients, but are still cut short: the reason is one line. */
  snprintf (reason, REASON_MAX, "%s=%.200s is not valid", record_keys[key], value);
  return false;
}

/* The whole grammar of a record; anything it does not describe makes the record invalid. */
static bool
parse_record (struct record *record, size_t length, char *reason)
{
  unsigned seen = 0;
  if (memchr (record->text, '\0', length) != NULL) {
    snprintf (reason, REASON_MAX, "the record contains a NUL byte");
    return false;
  }
  if (length == 0 || record->text[length - 1] != '\n') {
    snprintf (reason, REASON_MAX, "the record does not end with a newline");
    return false;
  }
  for (char *line = record->text; line < record->text + length; ) {
    char *end = strchr (line, '\n');
    *end = '\0';
    char *equals = strchr (line, '=');
    if (equals == NULL) {
      snprintf (reason, REASON_MAX, "line '%.200s' is not key=value", line);
      return false;
    }
    *equals = '\0';
    enum record_key key = KEY_COUNT;
    for (int k = 0; k < KEY_COUNT; k++)
      if (strcmp (line, record_keys[k]) == 0)
        key = k;
    if (key == KEY_COUNT) {
      snprintf (reason, REASON_MAX, "unknown key '%.200s'", line);
      return false;
    }
    if (line == record->text && key != KEY_VERSION) {
      snprintf (reason, REASON_MAX, "the first line is not version=1");
      return false;
    }
    if ((seen & (1u << key)) != 0 && key != KEY_ALLOW) {
      snprintf (reason, REASON_MAX, "key '%s' appears twice", record_keys[key]);
      return false;
    }
    seen |= 1u << key;
    if (!parse_record_line (record, key, equals + 1, reason))
      return false;
    line = end + 1;
  }
  for (int k = 0; k < KEY_COUNT; k++)
    if ((seen & (1u << k)) == 0) {
      snprintf (reason, REASON_MAX, "key '%s' is missing", record_keys[k]);
      return false;
    }
  if (record->everyone && record->cidr_count > 0) {
    snprintf (reason, REASON_MAX, "allow=everyone is combined with address ranges");
    return false;
  }
  return true;
}

static enum record_status
read_record (const char *name, struct record *record, char *reason)
{
  memset (record, 0, sizeof *record);
  /* O_NONBLOCK: a FIFO put in a record's place must not hang the connection thread. */
  int fd = openat (exports_dir, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
  if (fd == -1 && errno == ENOENT)
    return RECORD_MISSING;
  if (fd == -1) {
    snprintf (reason, REASON_MAX, "cannot open the record: %s", strerror (errno));
    return RECORD_INVALID;
  }
  struct stat st;
  if (fstat (fd, &st) == -1 || !S_ISREG (st.st_mode)) {
    close (fd);
    snprintf (reason, REASON_MAX, "the record is not a regular file");
    return RECORD_INVALID;
  }
  /* One byte more than allowed, to tell "exactly 64 KiB" from "longer". */
  record->text = malloc (RECORD_MAX_BYTES + 1);
  size_t length = 0;
  ssize_t n = 0;
  while (record->text != NULL && length <= RECORD_MAX_BYTES &&
         (n = read (fd, record->text + length, RECORD_MAX_BYTES + 1 - length)) > 0)
    length += n;
  close (fd);
  if (record->text == NULL || n == -1) {
    snprintf (reason, REASON_MAX, "cannot read the record: %s", strerror (errno));
    free_record (record);
    return RECORD_INVALID;
  }
  if (length > RECORD_MAX_BYTES) {
    snprintf (reason, REASON_MAX, "the record is longer than 64 KiB");
    free_record (record);
    return RECORD_INVALID;
  }
  if (!parse_record (record, length, reason)) {
    free_record (record);
    return RECORD_INVALID;
  }
  return RECORD_VALID;
}

/* ---- opening the image ------------------------------------------------------------------------ */

/* For kernels without openat2 (before 5.6): the same guarantees by hand, one component at a time. */
static int
open_beneath_by_walk (int root, const char *path, int flags)
{
  char *copy = strdup (path);
  if (copy == NULL)
    return -1;
  int dir = root, fd = -1;
  char *component = copy, *slash;
  while ((slash = strchr (component, '/')) != NULL) {
    *slash = '\0';
    int next = openat (dir, component, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (dir != root)
      close (dir);
    if (next == -1)
      goto out;
    dir = next;
    component = slash + 1;
  }
  fd = openat (dir, component, flags | O_NOFOLLOW);
  if (dir != root) {
    int saved = errno;
    close (dir);
    errno = saved;
  }
 out:
  free (copy);
  return fd;
}

/* Opens exactly the file nbdmux registered, or explains in reason why it is not there any more. */
static int
open_image (const struct record *record, int flags, struct stat *st, char *reason)
{
  int root = open (record->root, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (root == -1) {
    if (errno == ENOENT)
      snprintf (reason, REASON_MAX, "the image root %s is missing", record->root);
    else if (errno == ENOTDIR || errno == ELOOP)
      snprintf (reason, REASON_MAX, "the image root %s is not a directory any more (a symlink or a file took its place)", record->root);
    else
      snprintf (reason, REASON_MAX, "cannot open the image root %s: %s", record->root, strerror (errno));
    return -1;
  }
  if (fstat (root, st) == -1 || st->st_dev != record->root_dev || st->st_ino != record->root_ino) {
    snprintf (reason, REASON_MAX, "the image root %s is no longer the registered directory (it was replaced)", record->root);
    close (root);
    return -1;
  }

  /* O_NONBLOCK only so that a FIFO in the file's place cannot block open; it changes nothing for a
   * regular file. No symlink anywhere below the root, no escape from it, whatever the path says. */
  struct open_how how = {
    .flags = flags | O_CLOEXEC | O_NOCTTY | O_NONBLOCK,
    .resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS,
  };
  int fd = syscall (SYS_openat2, root, record->path, &how, sizeof how);
  if (fd == -1 && errno == ENOSYS)
    fd = open_beneath_by_walk (root, record->path, how.flags);
  int saved = errno;
  close (root);
  if (fd == -1) {
    const char *why =
      saved == ENOENT ? "is missing" :
      saved == ELOOP || saved == EXDEV ? "has a symlink on the way" :
      saved == ENOTDIR ? "has something other than a directory on the way" :
      strerror (saved);
    snprintf (reason, REASON_MAX, "the file at %s/%s %s", record->root, record->path, why);
    return -1;
  }
  if (fstat (fd, st) == -1 || !S_ISREG (st->st_mode)) {
    snprintf (reason, REASON_MAX, "the file at %s/%s is not a regular file any more", record->root, record->path);
    close (fd);
    return -1;
  }
  if (st->st_dev != record->dev || st->st_ino != record->ino) {
    snprintf (reason, REASON_MAX, "the file at %s/%s is no longer the registered file (it was replaced)", record->root, record->path);
    close (fd);
    return -1;
  }
  return fd;
}

/* ---- connections ------------------------------------------------------------------------------ */

/* nbdkit 1.32 cannot disconnect one client and does not tell a plugin its socket; the TCP peer
 * address and port name exactly one of this process's sockets, so look for it. */
static int
duplicate_client_socket (const struct peer *peer)
{
  if (peer->family == AF_UNSPEC)
    return -1;
  DIR *fds = opendir ("/proc/self/fd");
  if (fds == NULL)
    return -1;
  int found = -1;
  struct dirent *entry;
  while (found == -1 && (entry = readdir (fds)) != NULL) {
    char *end;
    long fd = strtol (entry->d_name, &end, 10);
    struct stat st;
    struct sockaddr_storage storage;
    socklen_t length = sizeof storage;
    struct peer candidate;
    if (*end != '\0' || entry->d_name[0] == '.' || fd == dirfd (fds) ||
        fstat (fd, &st) == -1 || !S_ISSOCK (st.st_mode) ||
        getpeername (fd, (struct sockaddr *) &storage, &length) == -1)
      continue;
    peer_from_sockaddr (&storage, &candidate);
    if (same_peer (&candidate, peer))
      found = fcntl (fd, F_DUPFD_CLOEXEC, 0);
  }
  closedir (fds);
  return found;
}

static void
register_connection (struct handle *handle, const char *name, const struct peer *peer)
{
  char peer_text[INET6_ADDRSTRLEN + 16], content[EXPORT_NAME_MAX + sizeof peer_text + 64];
  struct timespec now;
  clock_gettime (CLOCK_REALTIME, &now);
  snprintf (handle->id, sizeof handle->id, "%ld-%lu", (long) getpid (),
            atomic_fetch_add (&connection_counter, 1) + 1);
  format_peer (peer, peer_text, sizeof peer_text);
  snprintf (content, sizeof content, "export=%s\npeer=%s\nsince=%lld\n", name, peer_text,
            (long long) now.tv_sec * 1000 + now.tv_nsec / 1000000);

  handle->socket = duplicate_client_socket (peer);
  if (handle->socket == -1)
    nbdkit_debug ("connection %s: socket of %s not found, cut/ can only fail its requests",
                  handle->id, peer_text);
  /* A machine that boots matters more than nbdmux's view of it: with the data dir's disk full the
   * client is served, unseen by nbdmux (which refuses every change while its disk is full). */
  if (write_file_atomically (connections_dir, handle->id, content) == -1)
    nbdkit_error ("writing %s/connections/%s: %m (client served, but nbdmux does not see it)", state_dir, handle->id);
  pthread_mutex_lock (&registry_lock);
  handle->next = registry;
  registry = handle;
  pthread_mutex_unlock (&registry_lock);
}

static void
unregister_connection (struct handle *handle)
{
  pthread_mutex_lock (&registry_lock);
  for (struct handle **link = &registry; *link != NULL; link = &(*link)->next)
    if (*link == handle) {
      *link = handle->next;
      break;
    }
  pthread_mutex_unlock (&registry_lock);
  if (unlinkat (connections_dir, handle->id, 0) == -1)
    nbdkit_error ("removing %s/connections/%s: %m", state_dir, handle->id);
}

/* ---- handshake timeout ------------------------------------------------------------------------ */

/* Runs in the connection's thread as soon as nbdkit has accepted it, before the handshake. */
static int
nbdmux_preconnect (int readonly)
{
  (void) readonly;
  struct peer peer;
  if (current_peer (&peer) == -1)
    return 0;
  struct pending *entry = calloc (1, sizeof *entry);
  if (entry == NULL) {
    nbdkit_error ("calloc: %m");
    return -1;
  }
  entry->peer = peer;
  entry->socket = duplicate_client_socket (&peer);
  if (entry->socket == -1) {
    free (entry); /* not a TCP client, or already gone: nothing to time out */
    return 0;
  }
  clock_gettime (CLOCK_MONOTONIC, &entry->deadline);
  entry->deadline.tv_sec += handshake_timeout_seconds;
  pthread_mutex_lock (&pending_lock);
  entry->next = pending;
  pending = entry;
  pthread_mutex_unlock (&pending_lock);
  return 0;
}

/* The client is served: its handshake is over. */
static void
handshake_done (const struct peer *peer)
{
  pthread_mutex_lock (&pending_lock);
  for (struct pending **link = &pending; *link != NULL; link = &(*link)->next)
    if (same_peer (&(*link)->peer, peer)) {
      struct pending *done = *link;
      *link = done->next;
      close (done->socket);
      free (done);
      break;
    }
  pthread_mutex_unlock (&pending_lock);
}

/* Shuts down the sockets of clients past their deadline, and lets go of those whose connection
 * ended without being served (a duplicate would otherwise keep their socket open). */
static void
end_overdue_handshakes (void)
{
  struct timespec now;
  clock_gettime (CLOCK_MONOTONIC, &now);
  pthread_mutex_lock (&pending_lock);
  for (struct pending **link = &pending; *link != NULL;) {
    struct pending *entry = *link;
    if (now.tv_sec < entry->deadline.tv_sec ||
        (now.tv_sec == entry->deadline.tv_sec && now.tv_nsec < entry->deadline.tv_nsec)) {
      link = &entry->next;
      continue;
    }
    char peer_text[INET6_ADDRSTRLEN + 16];
    format_peer (&entry->peer, peer_text, sizeof peer_text);
    nbdkit_debug ("client %s was not served an export within %ld s: disconnected", peer_text, handshake_timeout_seconds);
    shutdown (entry->socket, SHUT_RDWR);
    close (entry->socket);
    *link = entry->next;
    free (entry);
  }
  pthread_mutex_unlock (&pending_lock);
}

/* ---- cut/ watcher ----------------------------------------------------------------------------- */

static void
serve_cut_requests (void)
{
  DIR *listing = list_directory (cut_dir);
  if (listing == NULL) {
    nbdkit_error ("listing %s/cut: %m", state_dir);
    return;
  }
  struct dirent *entry;
  while ((entry = readdir (listing)) != NULL) {
    if (entry->d_name[0] == '.')
      continue;
    bool live = false;
    pthread_mutex_lock (&registry_lock);
    for (struct handle *handle = registry; handle != NULL; handle = handle->next)
      if (strcmp (handle->id, entry->d_name) == 0) {
        live = true;
        atomic_store (&handle->cut, true);
        /* nbdkit's next receive sees end of file and closes the connection, which calls .close. */
        if (handle->socket != -1)
          shutdown (handle->socket, SHUT_RDWR);
      }
    pthread_mutex_unlock (&registry_lock);
    nbdkit_debug ("cut/%s: %s", entry->d_name, live ? "connection cut" : "no such connection");
    if (unlinkat (cut_dir, entry->d_name, 0) == -1 && errno != ENOENT)
      nbdkit_error ("removing %s/cut/%s: %m", state_dir, entry->d_name);
  }
  closedir (listing);
}

/* inotify for promptness, a rescan every second for events missed (or queued before start-up). */
static void *
watch_cut_requests (void *unused)
{
  (void) unused;
  char cut_path[PATH_MAX];
  snprintf (cut_path, sizeof cut_path, "%s/cut", state_dir);
  int watch = inotify_init1 (IN_NONBLOCK | IN_CLOEXEC);
  if (watch != -1 && inotify_add_watch (watch, cut_path, IN_CREATE | IN_MOVED_TO) == -1) {
    nbdkit_error ("inotify on %s: %m (cut requests are served by the rescan only)", cut_path);
    close (watch);
    watch = -1;
  }
  for (;;) {
    serve_cut_requests ();
    end_overdue_handshakes ();
    struct pollfd events[2] = { { .fd = cut_watcher_stop, .events = POLLIN },
                                { .fd = watch, .events = POLLIN } };
    if (poll (events, 2, 1000) > 0 && events[0].revents != 0)
      break;
    char drained[4096];
    if (events[1].revents != 0)
      while (read (watch, drained, sizeof drained) > 0)
        ;
  }
  if (watch != -1)
    close (watch);
  return NULL;
}

/* In the serving process (after the fork, if any): no connection of this process exists yet, so
 * every file in connections/ is left over from one that died; and threads do not survive fork. */
static int
nbdmux_after_fork (void)
{
  DIR *listing = list_directory (connections_dir);
  if (listing == NULL) {
    nbdkit_error ("listing %s/connections: %m", state_dir);
    return -1;
  }
  struct dirent *entry;
  while ((entry = readdir (listing)) != NULL)
    if (strcmp (entry->d_name, ".") != 0 && strcmp (entry->d_name, "..") != 0 &&
        unlinkat (connections_dir, entry->d_name, 0) == -1)
      nbdkit_error ("removing left-over %s/connections/%s: %m", state_dir, entry->d_name);
  closedir (listing);

  cut_watcher_stop = eventfd (0, EFD_CLOEXEC);
  if (cut_watcher_stop == -1) {
    nbdkit_error ("eventfd: %m");
    return -1;
  }
  int error = pthread_create (&cut_watcher, NULL, watch_cut_requests, NULL);
  if (error != 0) {
    errno = error;
    nbdkit_error ("starting the cut/ watcher: %m");
    return -1;
  }
  cut_watcher_started = true;
  return 0;
}

/* nbdkit unloads the plugin after this; the thread must not be running its code by then. */
static void
nbdmux_cleanup (void)
{
  if (!cut_watcher_started)
    return;
  uint64_t one = 1;
  if (write (cut_watcher_stop, &one, sizeof one) == sizeof one)
    pthread_join (cut_watcher, NULL);
  cut_watcher_started = false;
}

/* ---- per client ------------------------------------------------------------------------------- */

static int
nbdmux_list_exports (int readonly, int is_tls, struct nbdkit_exports *exports)
{
  (void) readonly;
  (void) is_tls;
  struct peer peer;
  if (current_peer (&peer) == -1)
    return -1;
  DIR *listing = list_directory (exports_dir);
  if (listing == NULL) {
    nbdkit_error ("listing %s/exports: %m", state_dir);
    return -1;
  }
  int result = 0;
  struct dirent *entry;
  while (result == 0 && (entry = readdir (listing)) != NULL) {
    struct record record;
    char reason[REASON_MAX];
    if (valid_export_name (entry->d_name) &&
        read_record (entry->d_name, &record, reason) == RECORD_VALID) {
      if (admits (&record, &peer))
        result = nbdkit_add_export (exports, entry->d_name, NULL);
      free_record (&record);
    }
  }
  closedir (listing);
  return result;
}

/* Releases what .open acquired; the caller has taken the handle out of the registry, if it was in. */
static void
free_handle (struct handle *handle)
{
  if (handle->socket != -1)
    close (handle->socket);
  if (handle->overlay != -1)
    close (handle->overlay);
  if (handle->written != NULL) {
    free (handle->written);
    pthread_mutex_destroy (&handle->overlay_lock);
  }
  if (handle->fd != -1)
    close (handle->fd);
  free (handle);
}

static void
nbdmux_close (void *opaque)
{
  unregister_connection (opaque);
  free_handle (opaque);
}

static int
start_overlay (struct handle *handle)
{
  size_t blocks = (handle->size + COW_BLOCK_SIZE - 1) / COW_BLOCK_SIZE;
  /* Never linked into the directory: nothing is left behind, whatever way the process ends. */
  handle->overlay = openat (cow_dir, ".", O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
  if (handle->overlay == -1) {
    nbdkit_error ("creating an overlay in %s/cow: %m", state_dir);
    return -1;
  }
  pthread_mutex_init (&handle->overlay_lock, NULL);
  handle->written = calloc ((blocks + 7) / 8, 1);
  if (handle->written == NULL) {
    nbdkit_error ("calloc: %m");
    pthread_mutex_destroy (&handle->overlay_lock);
    return -1;
  }
  return 0;
}

/* A denied name, an unknown name and a malformed name must look alike to the client; 1.32 answers
 * NBD_REP_ERR_UNKNOWN to any failed .open, so these refusals are only debug messages. */
static void *
nbdmux_open (int readonly)
{
  const char *name = nbdkit_export_name ();
  struct peer peer;
  struct record record;
  char reason[REASON_MAX];
  struct stat st;

  if (name == NULL || current_peer (&peer) == -1)
    return NULL;
  if (!valid_export_name (name)) {
    nbdkit_debug ("refused: the export name is not acceptable");
    return NULL;
  }
  switch (read_record (name, &record, reason)) {
  case RECORD_MISSING:
    nbdkit_debug ("refused: no export %s", name);
    return NULL;
  case RECORD_INVALID:
    withhold (name, reason);
    return NULL;
  case RECORD_VALID:
    break;
  }
  if (!admits (&record, &peer)) {
    nbdkit_debug ("refused: export %s does not admit this client", name);
    free_record (&record);
    return NULL;
  }

  struct handle *handle = calloc (1, sizeof *handle);
  if (handle == NULL) {
    nbdkit_error ("calloc: %m");
    free_record (&record);
    return NULL;
  }
  handle->mode = record.mode;
  handle->socket = handle->overlay = -1;
  handle->fd = open_image (&record, record.mode == MODE_RW && !readonly ? O_RDWR : O_RDONLY, &st, reason);
  free_record (&record);
  if (handle->fd == -1) {
    withhold (name, reason);
    free_handle (handle);
    return NULL;
  }
  handle->size = st.st_size;
  if (handle->mode == MODE_COW && start_overlay (handle) == -1) {
    free_handle (handle);
    return NULL;
  }
  register_connection (handle, name, &peer);
  handshake_done (&peer);
  return handle;
}

static int64_t
nbdmux_get_size (void *opaque)
{
  return ((struct handle *) opaque)->size;
}

static int
nbdmux_can_write (void *opaque)
{
  return ((struct handle *) opaque)->mode != MODE_RO;
}

/* Overlays are private to a connection, so another connection's flush cannot make them consistent. */
static int
nbdmux_can_multi_conn (void *opaque)
{
  return ((struct handle *) opaque)->mode != MODE_COW;
}

static bool
refuse_if_cut (struct handle *handle)
{
  if (!atomic_load (&handle->cut))
    return false;
  nbdkit_error ("connection %s was cut", handle->id);
  errno = EIO;
  return true;
}

static int
pread_fully (int fd, void *buffer, size_t count, uint64_t offset)
{
  while (count > 0) {
    ssize_t n = pread (fd, buffer, count, offset);
    if (n == -1)
      return -1;
    if (n == 0) {
      /* The file shrank under the export. */
      errno = EIO;
      return -1;
    }
    buffer = (char *) buffer + n;
    count -= n;
    offset += n;
  }
  return 0;
}

static int
pwrite_fully (int fd, const void *buffer, size_t count, uint64_t offset)
{
  while (count > 0) {
    ssize_t n = pwrite (fd, buffer, count, offset);
    if (n == -1)
      return -1;
    buffer = (const char *) buffer + n;
    count -= n;
    offset += n;
  }
  return 0;
}

static bool
block_written (const struct handle *handle, uint64_t block)
{
  return (handle->written[block / 8] >> (block % 8)) & 1;
}

/* A cow read takes each block from the overlay if this connection wrote it, else from the image. */
static int
cow_read (struct handle *handle, char *buffer, uint32_t count, uint64_t offset)
{
  while (count > 0) {
    uint64_t block = offset / COW_BLOCK_SIZE;
    uint32_t piece = COW_BLOCK_SIZE - offset % COW_BLOCK_SIZE;
    if (piece > count)
      piece = count;
    pthread_mutex_lock (&handle->overlay_lock);
    bool from_overlay = block_written (handle, block);
    pthread_mutex_unlock (&handle->overlay_lock);
    if (pread_fully (from_overlay ? handle->overlay : handle->fd, buffer, piece, offset) == -1)
      return -1;
    buffer += piece;
    count -= piece;
    offset += piece;
  }
  return 0;
}

/* Blocks enter the overlay whole (a partial write copies the rest of the block from the image
 * first), so a written block can always be read from the overlay alone. Holding the lock for the
 * whole write keeps two overlapping writes from interleaving their read-modify-write. */
static int
cow_write (struct handle *handle, const char *buffer, uint32_t count, uint64_t offset)
{
  char *block_buffer = NULL;
  int result = 0;
  pthread_mutex_lock (&handle->overlay_lock);
  while (result == 0 && count > 0) {
    uint64_t block = offset / COW_BLOCK_SIZE, block_start = block * COW_BLOCK_SIZE;
    uint64_t block_length = (uint64_t) handle->size - block_start < COW_BLOCK_SIZE
      ? (uint64_t) handle->size - block_start : COW_BLOCK_SIZE;
    uint32_t within = offset - block_start;
    uint32_t piece = block_length - within < count ? block_length - within : count;
    if (block_written (handle, block) || piece == block_length)
      result = pwrite_fully (handle->overlay, buffer, piece, offset);
    else {
      if (block_buffer == NULL && (block_buffer = malloc (COW_BLOCK_SIZE)) == NULL)
        result = -1;
      else if ((result = pread_fully (handle->fd, block_buffer, block_length, block_start)) == 0) {
        memcpy (block_buffer + within, buffer, piece);
        result = pwrite_fully (handle->overlay, block_buffer, block_length, block_start);
      }
    }
    if (result == 0)
      handle->written[block / 8] |= 1 << (block % 8);
    buffer += piece;
    count -= piece;
    offset += piece;
  }
  pthread_mutex_unlock (&handle->overlay_lock);
  int saved = errno;
  free (block_buffer);
  errno = saved;
  return result;
}

static int
nbdmux_pread (void *opaque, void *buffer, uint32_t count, uint64_t offset, uint32_t flags)
{
  (void) flags;
  struct handle *handle = opaque;
  if (refuse_if_cut (handle))
    return -1;
  return handle->mode == MODE_COW
    ? cow_read (handle, buffer, count, offset)
    : pread_fully (handle->fd, buffer, count, offset);
}

static int
nbdmux_pwrite (void *opaque, const void *buffer, uint32_t count, uint64_t offset, uint32_t flags)
{
  (void) flags;
  struct handle *handle = opaque;
  if (refuse_if_cut (handle))
    return -1;
  return handle->mode == MODE_COW
    ? cow_write (handle, buffer, count, offset)
    : pwrite_fully (handle->fd, buffer, count, offset);
}

/* A cow overlay dies with its connection, so there is nothing of it to make durable. */
static int
nbdmux_flush (void *opaque, uint32_t flags)
{
  (void) flags;
  struct handle *handle = opaque;
  if (refuse_if_cut (handle))
    return -1;
  return handle->mode == MODE_RW ? fdatasync (handle->fd) : 0;
}

static struct nbdkit_plugin plugin = {
  .name = "nbdmux",
  .longname = "nbdmux data plane",
  .description = "Serves the exports nbdmux publishes under STATEDIR/exports",
  .load = nbdmux_load,
  .config = nbdmux_config,
  .config_complete = nbdmux_config_complete,
  .config_help =
    "dir=STATEDIR   (required) nbdmux's state directory: exports/, connections/, cut/, withheld/, cow/\n"
    "build=ID       ignored; lets nbdmux recognise its own nbdkit\n"
    "handshake_timeout=SECONDS  clients not served an export by then are disconnected (default 10)",
  .magic_config_key = "dir",
  .get_ready = nbdmux_get_ready,
  .after_fork = nbdmux_after_fork,
  .preconnect = nbdmux_preconnect,
  .cleanup = nbdmux_cleanup,
  .list_exports = nbdmux_list_exports,
  .open = nbdmux_open,
  .close = nbdmux_close,
  .get_size = nbdmux_get_size,
  .can_write = nbdmux_can_write,
  .can_multi_conn = nbdmux_can_multi_conn,
  .pread = nbdmux_pread,
  .pwrite = nbdmux_pwrite,
  .flush = nbdmux_flush,
  .errno_is_preserved = 1,
};

NBDKIT_REGISTER_PLUGIN (plugin)
