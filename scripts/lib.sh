# Shared by scripts/dev and scripts/test: the Python tools in an ignored venv, and the moto
# server on a free loopback port with the standard AWS_* variables pointing at it.

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="$repo_root/.venv"

ensure_python_tools() {
  local stamp="$venv/.requirements.sha256"
  local want
  want="$(sha256sum "$repo_root/requirements-dev.txt" | cut -d' ' -f1)"
  if [[ ! -x "$venv/bin/moto_server" || ! -f "$stamp" || "$(cat "$stamp")" != "$want" ]]; then
    echo "==> installing moto, cfn-lint and cargo-lambda into .venv (once)"
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$repo_root/requirements-dev.txt"
    echo "$want" > "$stamp"
  fi
}

# Commands run when the calling script exits, in the order given.
exit_commands=()
on_exit() {
  exit_commands+=("$1")
  trap 'for command in "${exit_commands[@]}"; do eval "$command"; done' EXIT
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# Starts moto in the background; stops it when the calling script exits. It answers one request
# at a time but for SQS long polls, so conditional writes and transactions are atomic as in
# DynamoDB, and `GET /_local/ses/messages` with the mail SES accepted (see scripts/moto_server.py).
# scripts/dev and scripts/test run it the same way. Two malloc arenas, as for the runner in
# scripts/dev: the server runs a thread per connection.
start_moto() {
  local port="${MOTO_PORT:-$(free_port)}"
  local log="$repo_root/target/moto.log"
  mkdir -p "$repo_root/target"
  MALLOC_ARENA_MAX=2 "$venv/bin/python" "$repo_root/scripts/moto_server.py" 127.0.0.1 "$port" > "$log" 2>&1 &
  moto_pid=$!
  on_exit "kill $moto_pid 2>/dev/null || true"
  export AWS_ENDPOINT_URL="http://127.0.0.1:$port"
  export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_REGION=us-east-1
  export AWS_EC2_METADATA_DISABLED=true
  for _ in $(seq 1 100); do
    if python3 -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=1)' \
        "$AWS_ENDPOINT_URL/moto-api/" > /dev/null 2>&1; then
      echo "==> moto server on $AWS_ENDPOINT_URL (log: target/moto.log)"
      return 0
    fi
    sleep 0.2
  done
  echo "moto did not start; see $log" >&2
  return 1
}

# The browser tests' tools: Debian's chromium and chromedriver (apt, once), and axe-core, the
# accessibility checker the tests run inside each page, from the npm registry (pinned, once).
axe_version="4.14.1"
ensure_browser_tools() {
  if ! command -v chromium > /dev/null || ! command -v chromedriver > /dev/null; then
    echo "==> installing chromium and chromium-driver (apt, once)"
    local sudo=""
    [[ "$(id -u)" -ne 0 ]] && sudo="sudo"
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -q
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
      chromium chromium-driver
  fi
  local axe_dir="$repo_root/target/e2e/axe-core-$axe_version"
  if [[ ! -f "$axe_dir/axe.min.js" ]]; then
    echo "==> fetching axe-core $axe_version (npm registry, once)"
    mkdir -p "$axe_dir"
    (cd "$axe_dir" && npm pack --silent "axe-core@$axe_version" > /dev/null \
      && tar -xzf "axe-core-$axe_version.tgz" --strip-components=1 package/axe.min.js \
      && rm "axe-core-$axe_version.tgz")
  fi
  export AXE_CORE_JS="$axe_dir/axe.min.js"
}

# Starts chromedriver on a free loopback port in a process group of its own, and stops the group
# (every browser it started included) when the calling script exits. Browsers keep their
# profiles under target/e2e/tmp, removed then too.
start_chromedriver() {
  local port
  port="$(free_port)"
  local tmp="$repo_root/target/e2e/tmp"
  mkdir -p "$tmp"
  TMPDIR="$tmp" setsid chromedriver --port="$port" > "$repo_root/target/e2e/chromedriver.log" 2>&1 &
  local pid=$!
  on_exit "kill -TERM -- -$pid 2>/dev/null || true; rm -rf '$tmp'"
  export WEBDRIVER_URL="http://127.0.0.1:$port"
  for _ in $(seq 1 100); do
    if python3 -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=1)' \
        "$WEBDRIVER_URL/status" > /dev/null 2>&1; then
      echo "==> chromedriver on $WEBDRIVER_URL (log: target/e2e/chromedriver.log)"
      return 0
    fi
    sleep 0.1
  done
  echo "chromedriver did not start; see target/e2e/chromedriver.log" >&2
  return 1
}

# Starts cargo-lambda's emulator of the Lambda Runtime and Invoke APIs on a free loopback port
# (functions are started by the rehearsal itself, each as `AWS_LAMBDA_RUNTIME_API=…/.rt/<name>`);
# stops it when the calling script exits.
start_lambda_emulator() {
  local port
  port="$(free_port)"
  mkdir -p "$repo_root/target/rehearsal"
  (cd "$repo_root" && exec "$venv/bin/cargo-lambda" lambda watch --only-lambda-apis \
    --invoke-address 127.0.0.1 --invoke-port "$port") > "$repo_root/target/rehearsal/emulator.log" 2>&1 &
  local pid=$!
  on_exit "kill $pid 2>/dev/null || true"
  export LAMBDA_EMULATOR="http://127.0.0.1:$port"
  for _ in $(seq 1 100); do
    if python3 -c 'import socket, sys; socket.create_connection(("127.0.0.1", int(sys.argv[1])), 1)' \
        "$port" > /dev/null 2>&1; then
      echo "==> Lambda emulator (cargo lambda watch) on $LAMBDA_EMULATOR (log: target/rehearsal/emulator.log)"
      return 0
    fi
    sleep 0.2
  done
  echo "the Lambda emulator did not start; see target/rehearsal/emulator.log" >&2
  return 1
}

# Starts the local system (the proofsheet-local binary given) on a free loopback port with a
# fresh API key, in the background, and stops it when the calling script exits. Exports
# LOCAL_BASE, LOCAL_KEY and LOCAL_LOG (its output: the emails it prints).
start_local_server() {
  local binary="$1" port key
  port="$(free_port)"
  key="ps_local_$(python3 -c 'import secrets; print(secrets.token_urlsafe(24))')"
  export LOCAL_LOG="$repo_root/target/local-server.log"
  PORT="$port" DEV_API_KEY="$key" RUST_LOG=warn MALLOC_ARENA_MAX=2 "$binary" > "$LOCAL_LOG" 2>&1 &
  local pid=$!
  on_exit "kill $pid 2>/dev/null || true"
  for _ in $(seq 1 300); do
    if grep -q "Proofsheet is running" "$LOCAL_LOG"; then
      export LOCAL_BASE="http://127.0.0.1:$port" LOCAL_KEY="$key"
      echo "==> the local system on $LOCAL_BASE (log: target/local-server.log)"
      return 0
    fi
    sleep 0.2
  done
  echo "the local system did not start; see $LOCAL_LOG" >&2
  return 1
}

# The corpus of real photographs from the team's handout (BENCH_HANDOUT, default
# ../shared/bench) in BENCH_DIR (default /tmp/bench): exports BENCH_PHOTOS.
fetch_corpus() {
  local handout bench
  handout="$(realpath "${BENCH_HANDOUT:-$repo_root/../shared/bench}")"
  bench="${BENCH_DIR:-/tmp/bench}"
  echo "==> the corpus ($bench/photos)"
  bash "$handout/fetch-photos.sh" "$bench/photos" "$bench/watermark.png" | tail -n 1
  export BENCH_PHOTOS="$bench/photos"
}
