#!/bin/sh
# Runs the image as the manifests do and checks what deploy/README.md promises of it, with podman:
# a control plane and a node (sharing one network namespace, so they meet on localhost), each read-only, as user
# 10001:10001, without capabilities; the node joins with a token from PALISADE_JOIN_TOKEN_DIR and
# the fleet CA, takes a config with a route behind the bundled OWASP CRS, and serves it.
#
#   deploy/container/check-image.sh [TAG]     (as root; TAG defaults to localhost/palisade:0.1.0)
#
# Checks, each printed as "ok - …" (the first failure stops with "not ok - …" and exit 1): both
# HEALTHCHECKs pass (podman healthcheck run: the control plane's /healthz, the node's /readyz),
# the processes run as 10001, the root filesystem refuses writes and the state volume takes them,
# the vendored CRS is in the image and is the control plane's bundled rule set, a request through
# the node reaches the upstream and an SQL injection is refused by the CRS. Everything it starts
# (containers, volumes, a temporary folder) is removed at the end.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
tag=${1:-localhost/palisade:0.1.0}
# `podman [--runtime runc] run --ulimit …` as this machine needs (build-offline.sh says why).
run=$("$here/build-offline.sh" --print-run)
name=palisade-check-$$
fleet=$(mktemp -d)
cleanup() {
  podman rm -f "$name-dp" "$name-echo" "$name-cp" >/dev/null 2>&1 || true
  podman volume rm -f "$name-cp" "$name-dp" >/dev/null 2>&1 || true
  rm -rf "$fleet"
}
trap cleanup EXIT
ok() { echo "ok - $*"; }
fail() {
  echo "not ok - $*"
  for c in cp dp echo; do
    echo "# logs of $name-$c:"
    podman logs --tail 20 "$name-$c" 2>&1 | sed 's/^/#   /' || true
  done
  exit 1
}
# healthy CONTAINER: `podman healthcheck run` until it passes, for up to 60 s.
healthy() {
  i=0
  until podman healthcheck run "$1" >/dev/null 2>&1; do
    i=$((i + 1))
    [ "$i" -lt 60 ] || return 1
    sleep 1
  done
}
# fetch CONTAINER URL: "<status> <body>" of a GET from inside the container (the image has no curl).
fetch() {
  podman exec "$2" node -e 'fetch(process.argv[1]).then(async (r) => console.log(r.status, (await r.text()).replace(/\s+/g, " ").slice(0, 160)), (e) => console.log(0, e.cause?.code ?? e.message))' "$1"
}

admin_token=$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n')
hardened="--read-only --tmpfs /tmp --user 10001:10001 --cap-drop ALL --security-opt no-new-privileges"
# shellcheck disable=SC2086 # $run and $hardened are option lists
$run -d --name "$name-cp" $hardened -v "$name-cp:/var/lib/palisade" \
  -e PALISADE_ADMIN_TOKEN="$admin_token" "$tag" palisade-cp >/dev/null
# The demo upstream (deploy/demo/echo-upstream.mjs) on 127.0.0.1:9080, run by the image's node; it
# and the node join the control plane's network namespace (a pod's infra container would need
# the same runtime options, which `podman pod create` does not take).
# shellcheck disable=SC2086
$run -d --network "container:$name-cp" --name "$name-echo" $hardened -v "$here/../demo/echo-upstream.mjs:/demo/echo.mjs:ro" \
  --entrypoint node "$tag" /demo/echo.mjs >/dev/null
healthy "$name-cp" || fail "the control plane's HEALTHCHECK (/healthz) passes"
ok "the control plane's HEALTHCHECK (/healthz) passes"

[ "$(podman exec "$name-cp" id -u):$(podman exec "$name-cp" id -g)" = 10001:10001 ] || fail "the control plane runs as 10001:10001"
ok "the control plane runs as 10001:10001 ($(podman exec "$name-cp" id))"
err=$(podman exec "$name-cp" sh -c 'touch /opt/palisade/x 2>&1' || true)
case "$err" in *"Read-only file system"*) ok "the root filesystem refuses writes ($err)" ;; *) fail "the root filesystem refuses writes (got: $err)" ;; esac
podman exec "$name-cp" test -s /var/lib/palisade/palisade.db -a -s /var/lib/palisade/pki/ca.key ||
  fail "the state volume holds the database and the fleet CA"
ok "the state volume holds palisade.db and pki/ca.key"
rules=$(podman exec "$name-cp" sh -c 'ls /opt/palisade/waf/third_party/coreruleset/rules/*.conf | wc -l')
[ "$rules" -gt 20 ] || fail "the vendored CRS rules are in the image"
ok "the vendored CRS is in the image ($rules rule files in /opt/palisade/waf/third_party/coreruleset/rules)"
# shellcheck disable=SC2016 # JavaScript, not shell
bundled=$(podman exec "$name-cp" palisade palisadectl get rule-sets -o json |
  node -e 'let s="";process.stdin.on("data",(d)=>s+=d).on("end",()=>{const j=JSON.parse(s);const l=j.items??j;console.log(l.filter((r)=>r.bundled).map((r)=>`${r.name} (${r.rules} rules)`).join(", "))})')
[ -n "$bundled" ] || fail "the control plane has the CRS as its bundled rule set"
ok "the control plane's bundled rule set: $bundled"

# The node's inputs, as the kustomize overlays mount them: the fleet CA and a token file per node id.
mkdir -p "$fleet/join-tokens"
podman exec "$name-cp" node -e 'fetch("http://127.0.0.1:8001/v1/fleet/ca", { headers: { authorization: `Bearer ${process.env.PALISADE_ADMIN_TOKEN}` } }).then((r) => r.json()).then((j) => process.stdout.write(j.certificate_pem))' >"$fleet/fleet-ca.crt"
podman exec "$name-cp" palisade palisadectl join-token --region eu-west --node-id eu-west-1 --ttl 600 | head -n1 >"$fleet/join-tokens/eu-west-1"
chgrp -R 10001 "$fleet" && chmod 0750 "$fleet" "$fleet/join-tokens" && chmod 0640 "$fleet/fleet-ca.crt" "$fleet/join-tokens/eu-west-1"
podman exec -i "$name-cp" palisade palisadectl apply -f - --publish -m "check-image" >/dev/null <<'EOF'
upstreams:
  - name: echo
    targets: [{host: 127.0.0.1, port: 9080}]
policies:
  - name: crs
    type: waf
    config: {mode: block}
routes:
  - name: echo
    paths: [/echo]
    upstream: echo
    policies: [crs]
EOF
ok "a config with a route behind the bundled CRS is published"

# shellcheck disable=SC2086
$run -d --network "container:$name-cp" --name "$name-dp" $hardened -v "$name-dp:/var/lib/palisade" -v "$fleet:/etc/palisade/fleet:ro" \
  -e PALISADE_NODE_ID=eu-west-1 -e PALISADE_REGION=eu-west -e PALISADE_CONTROL_PLANE=localhost:8005 \
  -e PALISADE_CA_CERT=/etc/palisade/fleet/fleet-ca.crt -e PALISADE_JOIN_TOKEN_DIR=/etc/palisade/fleet/join-tokens \
  -e PALISADE_WORKERS=1 "$tag" palisade-dp >/dev/null
healthy "$name-dp" || fail "the node's HEALTHCHECK (/readyz) passes"
ok "the node joined with its token file and its HEALTHCHECK (/readyz) passes: $(fetch http://127.0.0.1:8100/readyz "$name-dp")"
[ "$(podman exec "$name-dp" id -u)" = 10001 ] || fail "the node runs as 10001"
err=$(podman exec "$name-dp" sh -c 'touch /usr/local/bin/x 2>&1' || true)
case "$err" in *"Read-only file system"*) ok "the node runs as 10001 on a read-only root filesystem" ;; *) fail "the node's root filesystem refuses writes (got: $err)" ;; esac
podman exec "$name-dp" test -s /var/lib/palisade/identity/node.crt ||
  fail "the node keeps its identity on the state volume"
ok "the node keeps its identity on the state volume ($(podman exec "$name-dp" ls /var/lib/palisade/identity | tr '\n' ' '))"
res=$(fetch http://127.0.0.1:8000/echo/hello "$name-dp")
case "$res" in 200*) ok "GET /echo/hello through the node: $res" ;; *) fail "GET /echo/hello through the node (got: $res)" ;; esac
res=$(fetch "http://127.0.0.1:8000/echo/items?id=1%27%20OR%201%3D1--" "$name-dp")
case "$res" in 403*) ok "GET /echo/items?id=1' OR 1=1-- is refused by the CRS: $res" ;; *) fail "the CRS refuses an SQL injection (got: $res)" ;; esac
echo "# image $tag: $(podman image inspect --format '{{.Size}}' "$tag") bytes, user $(podman image inspect --format '{{.Config.User}}' "$tag")"
