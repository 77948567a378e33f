#!/bin/sh
# The container's HEALTHCHECK: nbdmux's /healthz, ok only while nbd-server runs and answers NBD
# handshakes. curl rather than a .NET program: a check every 30 s should not start a runtime.
# A wildcard bind address is reached on loopback, a specific one on itself.
host=${NBDMUX_BIND:-0.0.0.0}
case $host in
  0.0.0.0 | ::) host=127.0.0.1 ;;
  *:*) host="[$host]" ;;
esac
exec curl --fail --silent --show-error --max-time 4 "http://$host:${NBDMUX_PORT:-8082}/healthz"
