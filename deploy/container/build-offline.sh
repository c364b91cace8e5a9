#!/bin/sh
# Builds the Palisade image where the container registries are out of reach but Debian's mirror
# and the npm registry are not (these machines): the Containerfile's base image is replaced by a
# local stand-in, the Containerfile itself is built unchanged with podman.
#
#   deploy/container/build-offline.sh [TAG]        (as root, from anywhere; TAG defaults to localhost/palisade:0.1.0)
#
# 1. The stand-in: a Debian bookworm root filesystem made by mmdebstrap (minbase, the slim image's
#    path excludes) from the Debian sources apt uses here, with this host's Node 20 laid out as the
#    official image lays it out (/usr/local/bin/node, npm and npx from /usr/local/lib/node_modules,
#    Node's headers in /usr/local/include/node, user node 1000), imported with `podman import` and
#    tagged with the exact name the Containerfile's NODE_IMAGE names. Made once: an image already
#    present under that name is kept (remove it to make it again). It is NOT the official image:
#    the Node binary is the host's (a .deb build), not the one the official image carries.
# 2. `podman build --pull=never` of deploy/container/Containerfile in the docker format (the
#    HEALTHCHECK is kept), the build stage's apt-get and npm ci reaching the mirror and registry.
#    Without layer caching, so no intermediate images stay; the stand-in base is kept.
#
# Needs: root, podman, mmdebstrap (installed with apt-get when missing), node 20 on the host.
set -eu
repo=$(cd "$(dirname "$0")/../.." && pwd)
containerfile="$repo/deploy/container/Containerfile"
tag=${1:-localhost/palisade:0.1.0}
base=$(sed -n 's/^ARG NODE_IMAGE=//p' "$containerfile")
[ -n "$base" ] || { echo "build-offline: no ARG NODE_IMAGE= line in $containerfile" >&2; exit 1; }
# How containers run here. crun refuses a host whose cgroup v1 hierarchies have a cgroup2 one
# beside them ("cgroups in hybrid mode not supported, drop all controllers from cgroupv2"): runc
# runs there (podman's global --runtime). And podman's default ulimits (nofile 1048576, a
# larger nproc) are above what a container may raise itself to without CAP_SYS_RESOURCE
# ("setrlimit `RLIMIT_NOFILE`: Operation not permitted", "error setting rlimit type 6"): ask for
# the host's nofile hard limit and 32768 processes (the most that started here) instead.
# `build-offline.sh --print-run` prints the `podman … run …` prefix with these options.
runtime=""
if grep -q ' /sys/fs/cgroup/unified cgroup2 ' /proc/mounts; then
  command -v runc >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends runc >&2
  runtime="--runtime runc"
fi
nofile=$(awk '/^Max open files/ {print $5}' /proc/self/limits)
[ "$nofile" = unlimited ] && nofile=1048576
nproc=$(awk '/^Max processes/ {print $4}' /proc/self/limits)
{ [ "$nproc" = unlimited ] || [ "$nproc" -gt 32768 ]; } && nproc=32768
ulimits="--ulimit nofile=$nofile:$nofile --ulimit nproc=$nproc:$nproc"
if [ "$tag" = --print-run ]; then
  echo "podman $runtime run $ulimits"
  exit 0
fi

[ "$(id -u)" -eq 0 ] || { echo "build-offline: run as root (mmdebstrap and podman build)" >&2; exit 1; }
node_version=$(node --version)
case "$node_version" in
  v20.*) ;;
  *) echo "build-offline: the host's node is $node_version; the image's base is Node 20" >&2; exit 1 ;;
esac
node_bin=$(readlink -f "$(command -v node)")
node_prefix=$(dirname "$(dirname "$node_bin")")
if [ ! -d "$node_prefix/lib/node_modules/npm" ] || [ ! -f "$node_prefix/include/node/node.h" ]; then
  echo "build-offline: npm or Node's headers not found under $node_prefix (lib/node_modules/npm, include/node)" >&2
  exit 1
fi

if podman image exists "$base"; then
  echo "build-offline: base $base present ($(podman image inspect --format '{{index .Config.Labels "org.palisade.stand-in"}}' "$base"))"
else
  command -v mmdebstrap >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends mmdebstrap
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  # The Debian sources apt uses on this host (bookworm, its updates and security), as they are.
  sources=/etc/apt/sources.list.d/debian.sources
  [ -f "$sources" ] || sources=/etc/apt/sources.list
  # Slim: no manuals, docs or locales, as the bookworm-slim image (debuerreotype's --slim).
  # shellcheck disable=SC2016 # "$1" in a hook is the root filesystem, expanded by mmdebstrap's shell
  mmdebstrap --variant=minbase --format=tar \
    --dpkgopt='path-exclude=/usr/share/man/*' \
    --dpkgopt='path-exclude=/usr/share/doc/*' \
    --dpkgopt='path-include=/usr/share/doc/*/copyright' \
    --dpkgopt='path-exclude=/usr/share/info/*' \
    --dpkgopt='path-exclude=/usr/share/locale/*' \
    --dpkgopt='path-exclude=/usr/share/lintian/*' \
    --customize-hook='mkdir -p "$1/usr/local/bin" "$1/usr/local/lib/node_modules" "$1/usr/local/include"' \
    --customize-hook="cp -a '$node_bin' \"\$1/usr/local/bin/node\"" \
    --customize-hook="cp -a '$node_prefix/lib/node_modules/npm' \"\$1/usr/local/lib/node_modules/\"" \
    --customize-hook="cp -a '$node_prefix/include/node' \"\$1/usr/local/include/\"" \
    --customize-hook='ln -s node "$1/usr/local/bin/nodejs"; ln -s ../lib/node_modules/npm/bin/npm-cli.js "$1/usr/local/bin/npm"; ln -s ../lib/node_modules/npm/bin/npx-cli.js "$1/usr/local/bin/npx"' \
    --customize-hook='chroot "$1" groupadd --gid 1000 node && chroot "$1" useradd --uid 1000 --gid node --shell /bin/bash --create-home node' \
    --customize-hook='chroot "$1" node --version && chroot "$1" npm --version' \
    --customize-hook='rm -rf "$1/var/lib/apt/lists/"* "$1/var/cache/apt/"*' \
    bookworm "$work/rootfs.tar" "$sources"
  podman import \
    --change 'CMD ["node"]' \
    --change "ENV NODE_VERSION=${node_version#v}" \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change "LABEL org.palisade.stand-in=\"Debian bookworm minbase (mmdebstrap) + host node $node_version, not the official image\"" \
    "$work/rootfs.tar" "$base"
  rm -rf "$work"
  trap - EXIT
fi

# A host that reaches the npm registry through a TLS-inspecting proxy trusts the proxy's CA with
# NODE_EXTRA_CA_CERTS (as here; without it `npm ci` fails with SELF_SIGNED_CERT_IN_CHAIN). The
# build's RUN steps get that bundle and a global npmrc naming it, bind-mounted over /usr/local/etc
# (npm's global config folder, an empty directory of every Debian image): a mount over an
# existing directory leaves nothing behind, so the image carries neither (a mount on a new path
# would leave an empty file there) and the Containerfile is unchanged.
ca_mounts=""
if [ -n "${NODE_EXTRA_CA_CERTS:-}" ] && [ -f "$NODE_EXTRA_CA_CERTS" ]; then
  etc_dir=$(mktemp -d)
  trap 'rm -rf "$etc_dir"' EXIT
  cp "$NODE_EXTRA_CA_CERTS" "$etc_dir/build-ca.crt"
  echo "cafile=/usr/local/etc/build-ca.crt" >"$etc_dir/npmrc"
  chmod 0755 "$etc_dir"
  ca_mounts="-v $etc_dir:/usr/local/etc:ro"
fi

cd "$repo"
# --layers=false: no per-instruction cache images are left behind; the build stage is discarded.
# shellcheck disable=SC2086 # word splitting of the options is meant
podman $runtime build $ulimits $ca_mounts --pull=never --layers=false --format docker \
  --ignorefile deploy/container/Containerfile.dockerignore \
  -f deploy/container/Containerfile -t "$tag" .
podman image inspect --format "build-offline: $tag {{.Size}} bytes (base $base: a stand-in)" "$tag"
