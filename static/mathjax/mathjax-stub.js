/* Local stand-in: the exports use no LaTeX, and kaleido must not fetch MathJax from a CDN. */
