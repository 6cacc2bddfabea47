from courses.markdown import render_markdown


def test_headings_lists_emphasis_quotes_and_tables():
    html = render_markdown(
        "## Kop\n\n- een\n- *twee*\n\n1. **drie**\n\n> citaat\n\n| a | b |\n|---|---|\n| 1 | 2 |\n"
    )
    for fragment in ("<h2>Kop</h2>", "<ul>", "<em>twee</em>", "<ol>", "<strong>drie</strong>",
                     "<blockquote>", "<table>", "<th>a</th>", "<td>2</td>"):  # fmt: skip
        assert fragment in html


def test_callouts_of_each_kind():
    html = render_markdown("::: tip\nA\n:::\n\n::: let-op\nB\n:::\n\n::: voorbeeld\nC\n:::\n")
    assert '<aside class="callout callout-tip" role="note">' in html
    assert '<aside class="callout callout-let-op" role="note">' in html
    assert '<aside class="callout callout-voorbeeld" role="note">' in html
    assert '<span class="callout-title">Voorbeeld</span>' in html


def test_unknown_callout_is_plain_text():
    html = render_markdown("::: waarschuwing\nX\n:::\n")
    assert "<aside" not in html


def test_raw_html_and_scripts_never_render():
    html = render_markdown('<script>alert(1)</script>\n\n<img src=x onerror="alert(1)">\n')
    assert "<script" not in html
    assert "<img" not in html
    assert "&lt;script&gt;" in html


def test_dangerous_links_are_dropped_and_safe_links_get_rel():
    html = render_markdown("[a](javascript:alert(1)) [b](https://example.com) [c](mailto:x@y.nl)")
    assert "javascript:" not in html.split("[a]")[0]
    assert 'href="javascript' not in html
    assert '<a href="https://example.com" rel="noopener noreferrer">b</a>' in html
    assert 'href="mailto:x@y.nl"' in html


def test_images_only_from_static_files():
    html = render_markdown("![ok](/static/img/favicon.svg) ![tracker](https://evil.example/p.gif)")
    assert '<img src="/static/img/favicon.svg" alt="ok">' in html
    assert "evil.example" not in html


def test_output_is_marked_safe_for_templates():
    assert hasattr(render_markdown("x"), "__html__")
