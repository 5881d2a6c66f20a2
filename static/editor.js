// The lesson editor's live preview: the server renders the markdown with the same renderer and
// sanitizer as publishing, a moment after typing stops.
(function () {
  const source = document.getElementById("source");
  const preview = document.getElementById("preview");
  if (!source || !preview) return;
  const token = source.form.querySelector("input[name=csrf_token]").value;
  let timer = null;
  let sent = 0;
  async function refresh() {
    const mine = ++sent;
    const body = new URLSearchParams({ csrf_token: token, text: source.value, language: source.dataset.language });
    const response = await fetch(source.dataset.previewUrl, { method: "POST", body, credentials: "same-origin" });
    if (mine !== sent || !response.ok) return;
    preview.innerHTML = await response.text();
  }
  source.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(refresh, 300);
  });
  refresh();
})();
