# Sourced by ./mvnw and ./herd (POSIX sh). Herd needs JDK 25 (Vector API, FFM): when JAVA_HOME
# does not point at one, look for an installed JDK 25 in the usual places, export JAVA_HOME,
# or stop with a clear message.
herd_java_major() { "$1/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p'; }
if [ -z "${JAVA_HOME:-}" ] || [ ! -x "$JAVA_HOME/bin/java" ] || [ "$(herd_java_major "$JAVA_HOME")" -lt 25 ] 2>/dev/null; then
  herd_noglob=$(case $- in *f*) echo yes;; esac)
  set +f
  for candidate in /usr/lib/jvm/temurin-25* /usr/lib/jvm/*-25-* /usr/lib/jvm/jdk-25* /opt/jdk-25* "$HOME"/.sdkman/candidates/java/25*; do
    if [ -x "$candidate/bin/java" ] && [ "$(herd_java_major "$candidate")" -ge 25 ] 2>/dev/null; then
      export JAVA_HOME="$candidate"; break
    fi
  done
  [ -z "$herd_noglob" ] || set -f
fi
if [ -z "${JAVA_HOME:-}" ] || [ "$(herd_java_major "$JAVA_HOME")" -lt 25 ] 2>/dev/null; then
  echo "Herd needs JDK 25 or newer; set JAVA_HOME to a JDK 25 installation (found: ${JAVA_HOME:-none})." >&2
  exit 1
fi
