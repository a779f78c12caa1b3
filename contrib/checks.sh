# contrib/checks.sh: the tally the deployment tests share. Source it, run `check WHAT COMMAND...`
# for each check (the command must succeed), and end the script with `summary NAME`, which prints
# "NAME: P passed, F failed" and fails when any check did.
passed=0
failed=0

check() { # description, then a command that must succeed
    local what=$1
    shift
    if "$@"; then
        passed=$((passed + 1))
    else
        failed=$((failed + 1))
        echo "FAILED: $what" >&2
    fi
}

summary() { # the test's name
    echo "$1: $passed passed, $failed failed"
    ((failed == 0))
}
