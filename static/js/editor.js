// The article editor's own script (loaded on editor pages only). The editor works without it:
// every button here is a submit button the server understands. With it, moving, adding and
// removing sections happen in place, a citation found by the helper goes in at the cursor,
// leaving with unsaved text asks first, and a signed-out preview says so in its panel.
(() => {
  const form = document.getElementById("editor-form");
  const list = document.getElementById("section-list");
  const announcer = document.getElementById("editor-announce");
  if (!form || !list) return;

  const say = (message) => {
    if (!announcer) return;
    announcer.textContent = "";
    window.setTimeout(() => { announcer.textContent = message; }, 50);
  };

  // Unsaved text: a page re-rendered from a refused save starts unsaved too.
  let unsaved = form.hasAttribute("data-unsaved");
  // "Submit for review" offered for a saved draft says it will save first once the text changes.
  const relabel = () => {
    form.querySelectorAll("[data-changed-label]").forEach((button) => {
      button.textContent = button.dataset.changedLabel;
      button.removeAttribute("data-changed-label");
    });
  };
  form.addEventListener("input", () => { unsaved = true; relabel(); });
  form.addEventListener("submit", () => { unsaved = false; });
  window.addEventListener("beforeunload", (event) => {
    if (!unsaved) return;
    event.preventDefault();
    event.returnValue = "";
  });

  const sections = () => [...list.querySelectorAll(":scope > .section-editor")];
  const nameOf = (fieldset, index) =>
    fieldset.querySelector("[data-heading]")?.value.trim() || `Section ${index + 1}`;
  const changed = () => {
    unsaved = true;
    relabel();
    document.body.dispatchEvent(new CustomEvent("vetted:sections-changed", { bubbles: true }));
  };

  // Field names carry the section's place (sections-2-heading); after a move they must follow
  // the order on screen, because the server reads sections in the order of those numbers.
  const ATTRIBUTES = ["id", "name", "for", "aria-describedby"];
  const renumber = () => {
    const all = sections();
    all.forEach((fieldset, index) => {
      const rename = (value) => value.replace(/\bsections-\d+(?=-|$|\s)/g, `sections-${index}`);
      fieldset.id = rename(fieldset.id);
      fieldset.querySelectorAll("*").forEach((el) => {
        ATTRIBUTES.forEach((attr) => {
          const value = el.getAttribute(attr);
          if (value && value.includes("sections-")) el.setAttribute(attr, rename(value));
        });
      });
      fieldset.querySelector(".section-number").textContent = `Section ${index + 1}`;
      fieldset.querySelectorAll(".section-name").forEach((span) => {
        span.textContent = nameOf(fieldset, index);
      });
      const up = fieldset.querySelector("[data-move=up]");
      const down = fieldset.querySelector("[data-move=down]");
      up.value = `move-up:${index}`;
      down.value = `move-down:${index}`;
      up.disabled = index === 0;
      down.disabled = index === all.length - 1;
      fieldset.querySelector("[data-remove]").value = `remove:${index}`;
    });
  };

  const move = (fieldset, direction) => {
    const all = sections();
    const index = all.indexOf(fieldset);
    const other = all[index + (direction === "up" ? -1 : 1)];
    if (!other) return;
    if (direction === "up") list.insertBefore(fieldset, other);
    else list.insertBefore(other, fieldset);
    renumber();
    const position = sections().indexOf(fieldset);
    const button = fieldset.querySelector(`[data-move=${direction}]`);
    (button.disabled ? fieldset.querySelector(`[data-move=${direction === "up" ? "down" : "up"}]`) : button).focus();
    fieldset.classList.add("moved");
    window.setTimeout(() => fieldset.classList.remove("moved"), 600);
    say(`Moved ${nameOf(fieldset, position)} to position ${position + 1} of ${sections().length}.`);
    changed();
  };

  const remove = (fieldset) => {
    const all = sections();
    const index = all.indexOf(fieldset);
    const name = nameOf(fieldset, index);
    const hasText = [...fieldset.querySelectorAll("textarea")].some((t) => t.value.trim());
    if (hasText && !window.confirm(`Remove “${name}” and its text from this draft?`)) return;
    fieldset.remove();
    renumber();
    const next = sections()[Math.min(index, sections().length - 1)];
    (next?.querySelector("[data-heading]") ?? document.getElementById("add-section")).focus();
    say(`Removed ${name}. Nothing is saved until you save the draft.`);
    changed();
  };

  const add = () => {
    const last = sections().at(-1);
    if (!last) return false; // nothing to copy: let the server add one
    const copy = last.cloneNode(true);
    copy.classList.remove("moved");
    copy.querySelectorAll("textarea, input[data-heading]").forEach((el) => { el.value = ""; });
    copy.querySelectorAll(".field-error, .questions-hint").forEach((el) => el.remove());
    copy.querySelectorAll("[aria-invalid]").forEach((el) => el.removeAttribute("aria-invalid"));
    copy.querySelectorAll("[aria-describedby]").forEach((el) => {
      const kept = el.getAttribute("aria-describedby").split(/\s+/).filter((id) => !id.endsWith("-error"));
      el.setAttribute("aria-describedby", kept.join(" "));
    });
    const kind = copy.querySelector("select");
    if (kind) kind.value = "other";
    list.append(copy);
    renumber();
    copy.querySelector("[data-heading]")?.focus();
    say(`Added section ${sections().length}. Give it a kind and a heading.`);
    changed();
    return true;
  };

  form.addEventListener("click", (event) => {
    const button = event.target.closest("button");
    if (!button || !form.contains(button)) return;
    const fieldset = button.closest(".section-editor");
    if (button.dataset.move && fieldset) {
      event.preventDefault();
      move(fieldset, button.dataset.move);
    } else if (button.hasAttribute("data-remove") && fieldset) {
      event.preventDefault();
      remove(fieldset);
    } else if (button.id === "add-section" && add()) {
      event.preventDefault();
    }
  });

  // Labels say which section each box belongs to: keep them in step with the heading.
  form.addEventListener("input", (event) => {
    if (!event.target.matches("[data-heading]")) return;
    const fieldset = event.target.closest(".section-editor");
    const index = sections().indexOf(fieldset);
    fieldset.querySelectorAll(".section-name").forEach((span) => {
      span.textContent = nameOf(fieldset, index);
    });
  });

  // Choosing a kind names an unnamed section after it ("From the Research").
  form.addEventListener("focusin", (event) => {
    if (event.target.matches(".section-editor select")) {
      event.target.dataset.was = event.target.selectedOptions[0]?.textContent ?? "";
    }
  });
  form.addEventListener("change", (event) => {
    if (!event.target.matches(".section-editor select")) return;
    const heading = event.target.closest(".section-editor").querySelector("[data-heading]");
    const label = event.target.selectedOptions[0]?.textContent ?? "";
    const was = event.target.dataset.was ?? "";
    if (heading && event.target.value !== "other" && (!heading.value.trim() || heading.value === was)) {
      heading.value = label;
      heading.dispatchEvent(new Event("input", { bubbles: true }));
    }
    event.target.dataset.was = label;
  });

  // The citation helper inserts [@key] where the cursor was in the last text box used.
  let lastText = null;
  form.addEventListener("focusin", (event) => {
    if (event.target.matches("textarea")) lastText = event.target;
  });
  document.addEventListener("click", (event) => {
    const button = event.target.closest(".cite-insert");
    if (!button) return;
    const box = lastText && document.contains(lastText) ? lastText : null;
    if (!box) {
      say("Click in the text where the citation belongs, then choose Insert again.");
      return;
    }
    const start = box.selectionStart;
    const before = box.value.slice(0, start);
    const citation = `${before && !/\s$/.test(before) ? " " : ""}[@${button.dataset.key}]`;
    box.focus();
    box.setRangeText(citation, start, box.selectionEnd, "end");
    box.dispatchEvent(new Event("input", { bubbles: true }));
    const label = document.querySelector(`label[for="${box.id}"]`)?.textContent.trim() ?? "the text";
    say(`Inserted [@${button.dataset.key}] in ${label}.`);
  });

  // A signed-out or expired preview answers 401/400 with a note for its panel: show it there.
  document.addEventListener("htmx:beforeSwap", (event) => {
    const { target, xhr } = event.detail;
    if ([400, 401].includes(xhr.status) && ["preview-panel", "cite-results"].includes(target?.id)) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });
})();
