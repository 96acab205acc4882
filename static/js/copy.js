// Staff pages: a "Copy" button next to a read-only field copies its value. Without JavaScript
// (or without clipboard access) the button stays hidden and the field can be selected and copied
// by hand.
document.querySelectorAll("button[data-copy]").forEach((button) => {
  const field = document.getElementById(button.dataset.copy);
  const status = document.getElementById(`${button.dataset.copy}-status`);
  if (!field || !navigator.clipboard) return;
  button.hidden = false;
  button.addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(field.value);
      if (status) status.textContent = "Copied.";
    } catch {
      field.select();
      if (status) status.textContent = "Copying was blocked: the link is selected, copy it with your keyboard.";
    }
  });
});
