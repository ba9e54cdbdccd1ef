"""Help center in the browser: answers while the customer types (accent- and plural-insensitive),
keyboard navigation, the no-results path to a prefilled ticket, one vote per user, Markdown that
cannot run script, and the staff editor."""

from __future__ import annotations

import re
import uuid

from playwright.sync_api import expect

from tests.e2e.conftest import login, shoot

PASSWORD_ARTICLE = "/articles/recuperar-contrasena"


def _first_result(page):
    return page.get_by_test_id("kb-result").first.locator("a").first


def test_results_appear_while_typing_and_keyboard_opens_them(new_context):
    page = new_context().new_page()
    page.goto("/")
    expect(page.get_by_test_id("kb-category").first).to_be_visible()
    box = page.get_by_test_id("kb-search")
    # Typed key by key, no accents, and no Enter: the answer must already be first.
    box.press_sequentially("olvide mi contrasena", delay=20)
    expect(_first_result(page)).to_have_attribute("href", PASSWORD_ARTICLE)
    # The snippet highlights as text (<mark>), never as injected HTML.
    expect(page.get_by_test_id("kb-result").first.locator("mark").first).to_be_visible()
    shoot(page, "helpcenter-home-results-1280")
    page.set_viewport_size({"width": 360, "height": 800})
    shoot(page, "helpcenter-home-results-360")
    page.set_viewport_size({"width": 1280, "height": 900})

    # Same top article with accents, capitals, and plural/singular variations.
    for query in ("olvidé mi contraseña", "OLVIDE MI CONTRASEÑA", "contraseñas olvidadas"):
        box.fill(query)
        expect(_first_result(page)).to_have_attribute("href", PASSWORD_ARTICLE)
    for query in ("descargar factura", "descargar facturas"):
        box.fill(query)
        expect(_first_result(page)).to_have_attribute("href", "/articles/descargar-facturas")

    # Arrow down from the box reaches the first result; Enter opens it.
    box.fill("olvide mi contrasena")
    expect(_first_result(page)).to_have_attribute("href", PASSWORD_ARTICLE)
    box.focus()
    page.keyboard.press("ArrowDown")
    expect(_first_result(page)).to_be_focused()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowUp")
    expect(_first_result(page)).to_be_focused()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(re.escape(PASSWORD_ARTICLE) + "$"))
    expect(page.get_by_test_id("article-title")).to_contain_text("contraseña")


def test_no_results_opens_a_prefilled_ticket_form(new_context):
    page = new_context().new_page()
    page.goto("/")
    query = "xyzzy plutonio cuántico"
    page.get_by_test_id("kb-search").press_sequentially(query, delay=10)
    panel = page.get_by_test_id("kb-no-results")
    expect(panel).to_be_visible()
    expect(page.get_by_test_id("kb-result")).to_have_count(0)
    shoot(page, "helpcenter-no-results")
    panel.get_by_role("link").click()
    expect(page).to_have_url(re.compile(r"/tickets/new\?q="))
    expect(page.get_by_test_id("ticket-subject")).to_have_value(query)


def test_article_page_category_and_not_found(new_context):
    page = new_context().new_page()
    page.goto(PASSWORD_ARTICLE)
    expect(page.get_by_test_id("article-title")).to_be_visible()
    expect(page.locator("article")).to_have_attribute("lang", "es")
    expect(page.get_by_test_id("article-body").locator("h2").first).to_be_visible()
    expect(page.get_by_test_id("article-updated")).not_to_be_empty()
    shoot(page, "helpcenter-article-1280")
    page.set_viewport_size({"width": 360, "height": 800})
    shoot(page, "helpcenter-article-360")
    # An English article read in the Spanish UI declares its own language.
    page.goto("/articles/recover-password")
    expect(page.get_by_test_id("article-title")).to_be_visible()
    expect(page.locator("article")).to_have_attribute("lang", "en")
    # Breadcrumb → category page listing the article.
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(PASSWORD_ARTICLE)
    page.get_by_role("navigation", name=re.compile("Ruta")).get_by_role("link").nth(1).click()
    expect(page).to_have_url(re.compile(r"/categories/cuenta-y-contrasenas$"))
    expect(page.get_by_test_id("category-article").filter(has_text="recuperar")).to_have_count(1)
    shoot(page, "helpcenter-category")
    page.goto("/articles/no-existe-este-articulo")
    expect(page.get_by_text("No encontramos este artículo")).to_be_visible()
    expect(page.get_by_role("link", name="Volver al inicio")).to_be_visible()


def test_one_vote_per_user_is_remembered_and_changeable(new_context):
    page = new_context().new_page()
    login(page, "cliente@demo.test", "cliente-demo-1")
    page.goto("/articles/cambiar-contrasena")
    yes, no = page.get_by_test_id("article-vote-yes"), page.get_by_test_id("article-vote-no")
    yes.click()
    expect(page.get_by_test_id("article-vote-thanks")).to_be_visible()
    page.reload()
    expect(page.get_by_test_id("article-vote-thanks")).to_be_visible()
    expect(yes).to_have_attribute("aria-pressed", "true")
    no.click()
    expect(no).to_have_attribute("aria-pressed", "true")
    page.get_by_test_id("article-vote-comment").fill("Faltan capturas de pantalla")
    page.get_by_test_id("article-vote-comment-submit").click()
    expect(page.get_by_test_id("article-vote-comment")).to_have_count(0)
    expect(page.get_by_test_id("article-vote-thanks")).to_be_visible()
    shoot(page, "helpcenter-voted")


def test_agent_writes_an_article_whose_html_stays_inert(new_context):
    page = new_context().new_page()
    login(page, "agente@demo.test", "agente-demo-1")
    page.goto("/agent/articles")
    expect(page.get_by_test_id("kb-admin-row").first).to_be_visible()
    page.get_by_test_id("kb-admin-new").click()
    slug = f"prueba-html-{uuid.uuid4().hex[:6]}"
    page.get_by_test_id("kb-edit-title").fill("Prueba de HTML inerte")
    page.get_by_test_id("kb-edit-slug").fill(slug)
    body = (
        "## Apartado\n\nTexto <script>window.__pwned = 1</script> visible.\n\n"
        '<img src=x onerror="window.__pwned = 2">\n\n[pulsa aquí](javascript:window.__pwned=3)\n'
    )
    page.get_by_test_id("kb-edit-body").fill(body)
    preview = page.get_by_test_id("kb-edit-preview")
    expect(preview).to_contain_text("<script>window.__pwned = 1</script>")
    page.get_by_test_id("kb-edit-published").click()
    shoot(page, "kbadmin-editor")
    page.get_by_test_id("kb-edit-save").click()
    expect(page.get_by_test_id("kb-admin-row").filter(has_text=slug)).to_have_count(1)
    page.set_viewport_size({"width": 360, "height": 800})
    shoot(page, "kbadmin-360")

    # A customer (another browser) reads it: the markup shows as text and nothing ran.
    reader = new_context().new_page()
    reader.goto(f"/articles/{slug}")
    article_body = reader.get_by_test_id("article-body")
    expect(article_body).to_contain_text("<script>window.__pwned = 1</script>")
    expect(article_body.locator("script")).to_have_count(0)
    expect(article_body.locator("img")).to_have_count(0)
    expect(article_body.locator("a[href^='javascript']")).to_have_count(0)
    reader.get_by_text("pulsa aquí").click()
    assert reader.evaluate("window.__pwned") is None
    shoot(reader, "helpcenter-inert-html")


def test_customer_is_refused_the_article_editor(new_context):
    page = new_context().new_page()
    login(page, "cliente@demo.test", "cliente-demo-1")
    page.goto("/agent/articles")
    expect(page.get_by_test_id("access-denied")).to_be_visible()
    expect(page.get_by_test_id("kb-admin-row")).to_have_count(0)
