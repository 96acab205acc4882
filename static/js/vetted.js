// Vetted's own small script. Everything works without it: it marks the page as scripted (so the
// picker's submit button hides, since choosing a role swaps the wording at once), makes citation
// cards and glossary definitions dismissable with Escape (WCAG 1.4.13), and keeps the picker's
// and the search box's state in htmx's history snapshots.
document.documentElement.classList.add("js");
const POPUPS = ".cite-wrap, .term";

document.addEventListener("keydown", (event) => {
  if (event.key !== "Escape") return;
  document.querySelectorAll(".cite-wrap:hover, .cite-wrap:focus-within, .term:hover, .term:focus-within")
    .forEach((el) => el.classList.add("dismissed"));
});
document.addEventListener("focusout", (event) => {
  event.target.closest?.(POPUPS)?.classList.remove("dismissed");
});
document.addEventListener("mouseout", (event) => {
  const popup = event.target.closest?.(POPUPS);
  if (popup && !popup.contains(event.relatedTarget)) popup.classList.remove("dismissed");
});

// htmx snapshots the page's HTML for Back and Forward, and a radio's checked state is not in the
// HTML. Write into the snapshot the role whose wording the body shows (the snapshot is taken just
// before a swap, when the newly clicked radio is already checked but the old wording still shows).
document.addEventListener("htmx:beforeHistorySave", () => {
  const shown = document.getElementById("article-body")?.dataset.role ?? "";
  document.querySelectorAll("#personalize input[type=radio]").forEach((input) => {
    input.toggleAttribute("checked", input.value === shown);
  });
  // Likewise the search box: the snapshot keeps the query whose results it shows, not the
  // newer text being typed that triggered the request.
  const results = document.getElementById("search-results")?.dataset;
  if (results?.query !== undefined) {
    document.getElementById("search-q")?.setAttribute("value", results.query);
    document.querySelectorAll("#search-topic option").forEach((option) => {
      option.toggleAttribute("selected", option.value === results.topic);
    });
  }
});

// Follow-up questions: a swap target inside [data-swap-errors] shows the server's refusal in
// place (invalid input 422, expired form 400, too large 413, too many questions 429), as it does
// without JavaScript; htmx would otherwise drop error responses silently.
document.addEventListener("htmx:beforeSwap", (event) => {
  const status = event.detail.xhr.status;
  if ([400, 413, 422, 429].includes(status) && event.target.closest?.("[data-swap-errors]")) {
    event.detail.shouldSwap = true;
    event.detail.isError = false;
  }
});

// Follow-up questions: the ask form on the (shared, cached) article page carries no nonce of its
// own; give it a random one as it is sent, once, so a double submission finds the same question
// and no other reader's form ever does. Capture phase: before htmx reads the form's values.
document.addEventListener("submit", (event) => {
  const nonce = event.target.querySelector?.("input[name=nonce]");
  if (!nonce || nonce.value) return;
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  nonce.value = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}, true);

// Search as you type: Enter, the search box's own "search" event and the pause after typing each
// ask for the same results. Send a query once from a form (a queued duplicate is dropped before it
// goes out), so its results are fetched and its address pushed into history once. A failed request
// is forgotten, so asking again retries it.
document.addEventListener("htmx:beforeRequest", (event) => {
  const form = event.detail.elt;
  if (!form.matches?.(".search-form")) return;
  const path = event.detail.pathInfo.finalRequestPath;
  if (path === form.vettedLastSearch) event.preventDefault();
  else form.vettedLastSearch = path;
});
document.addEventListener("htmx:afterRequest", (event) => {
  const form = event.detail.elt;
  if (form.matches?.(".search-form") && !event.detail.successful) delete form.vettedLastSearch;
});

// Languages (web/language.py). The links to this page in other languages (the header's switch,
// the note below) keep the reader's wording and search: after the picker or the search box
// changes the address in place, they follow it.
function followAddress() {
  const here = new URLSearchParams(location.search);
  document.querySelectorAll("a[data-keeps]").forEach((link) => {
    const url = new URL(link.href);
    for (const name of link.dataset.keeps.split(" ")) {
      if (here.get(name)) url.searchParams.set(name, here.get(name));
      else url.searchParams.delete(name);
    }
    link.href = url.toString();
  });
}
document.addEventListener("htmx:pushedIntoHistory", followAddress);
document.addEventListener("htmx:historyRestore", followAddress);

// Accept-Language never changes the page (pages are cached and shared by address): the browser's
// preferred languages only reveal a note, already in the page, offering it in the first of them
// that Vetted publishes, unless the reader prefers this page's language to it.
(() => {
  const page = document.documentElement.lang;
  for (const tag of navigator.languages || []) {
    const primary = tag.toLowerCase().split("-")[0];
    if (primary === page) return;
    const note = document.querySelector(`[data-suggest-language="${CSS.escape(primary)}"]`);
    if (note) {
      note.hidden = false;
      return;
    }
  }
})();
