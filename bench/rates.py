"""Rates from counts: Wilson 95% intervals, and Fisher's exact test between two rates.

A result such as "the curriculum generalized on 3 of 5 seeds" is a rate measured on few seeds;
docs/reproduction.md states every such rate with its Wilson score interval, and compares two rates
with Fisher's exact test (two-sided). Standard library only.

    python bench/rates.py 3/5 0/13              # one line per rate: k/n, the rate, its interval
    python bench/rates.py --fisher 3/5 0/13     # the two rates, then Fisher's exact p
    python bench/rates.py --self-check          # runs the examples below (doctest)

>>> lo, hi = wilson(0, 13)
>>> (round(lo, 4), round(hi, 4))      # 0 of n: the upper bound is z^2 / (n + z^2)
(0.0, 0.2281)
>>> [round(x, 4) for x in wilson(3, 5)]
[0.2307, 0.8824]
>>> [round(x, 4) for x in wilson(5, 10)]   # symmetric about 1/2
[0.2366, 0.7634]
>>> round(fisher_exact(3, 5, 0, 13), 4)     # 3 of 5 against 0 of 13
0.0123
>>> round(fisher_exact(2, 4, 2, 4), 9)   # equal rates
1.0
>>> round(fisher_exact(1, 10, 9, 10), 5)   # a textbook case: 1/10 against 9/10
0.00109
"""

import argparse
import doctest
import math
import sys

Z95 = 1.959963984540054  # the 0.975 quantile of the standard normal


def wilson(k, n, z=Z95):
    """Wilson score interval (lo, hi) for k successes in n trials."""
    if not 0 <= k <= n or n == 0:
        raise ValueError(f"need 0 <= k <= n and n > 0, got {k}/{n}")
    p = k / n
    z2 = z * z
    center = (p + z2 / (2 * n)) / (1 + z2 / n)
    half = z / (1 + z2 / n) * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n))
    # At k = 0 or k = n the bound is exactly 0 or 1; the formula can miss it by a rounding.
    lo = 0.0 if k == 0 else max(0.0, center - half)
    hi = 1.0 if k == n else min(1.0, center + half)
    return lo, hi


def fisher_exact(k1, n1, k2, n2):
    """Two-sided Fisher's exact test of k1/n1 against k2/n2: the probability, with the margins
    fixed, of a table at most as likely as the one observed."""
    for k, n in ((k1, n1), (k2, n2)):
        if not 0 <= k <= n:
            raise ValueError(f"need 0 <= k <= n, got {k}/{n}")
    total, successes = n1 + n2, k1 + k2

    def prob(a):  # P(a successes in the first group)
        return math.comb(n1, a) * math.comb(n2, successes - a) / math.comb(total, successes)

    observed = prob(k1)
    lo, hi = max(0, successes - n2), min(n1, successes)
    p = sum(q for q in map(prob, range(lo, hi + 1)) if q <= observed * (1 + 1e-9))
    return min(1.0, p)


def parse(text):
    k, _, n = text.partition("/")
    return int(k), int(n)


def describe(k, n):
    lo, hi = wilson(k, n)
    return f"{k}/{n}: {k / n:.2f}, 95% Wilson interval [{lo:.2f}, {hi:.2f}]"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("rates", nargs="*", metavar="K/N", help="successes / trials, e.g. 3/5")
    ap.add_argument("--fisher", action="store_true", help="compare exactly two rates")
    ap.add_argument("--self-check", action="store_true", help="run the examples in this docstring")
    a = ap.parse_args()
    if a.self_check:
        failed, tried = doctest.testmod()
        print(f"{tried - failed} passed, {failed} failed")
        sys.exit(1 if failed else 0)
    rates = [parse(r) for r in a.rates]
    if not rates:
        ap.error("give at least one K/N")
    for k, n in rates:
        print(describe(k, n))
    if a.fisher:
        if len(rates) != 2:
            ap.error("--fisher compares exactly two rates")
        (k1, n1), (k2, n2) = rates
        print(f"Fisher's exact test, two-sided: p = {fisher_exact(k1, n1, k2, n2):.4g}")


if __name__ == "__main__":
    main()
