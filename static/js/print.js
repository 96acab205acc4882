// The print view: a "Print" button that opens the browser's print dialog. Without JavaScript the
// button stays hidden; the browser's own Print command and the "Download PDF" link still work.
document.querySelectorAll("button[data-print]").forEach((button) => {
  button.hidden = false;
  button.addEventListener("click", () => window.print());
});
