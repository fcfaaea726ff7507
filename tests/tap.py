"""tap.py - TAP counting for the Python tests: ok() prints one test line
(and a failure's diagnostic as "#   | " lines), plan() prints the plan and
returns the exit status."""

n = 0
failed = 0


def ok(cond, what, diag=""):
    global n, failed
    n += 1
    print(("ok" if cond else "not ok") + " %d - %s" % (n, what))
    if not cond:
        failed += 1
        for line in str(diag).splitlines()[-15:]:
            print("#   | " + line)
    return cond


def plan():
    print("1..%d" % n)
    return 1 if failed else 0
