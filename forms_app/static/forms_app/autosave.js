// Saves the draft on the server while people type (debounced), without files.
// The "Enregistrer le brouillon" button does the same without JavaScript.
(function () {
  "use strict";
  var form = document.getElementById("formulaire-reponse");
  if (!form || !window.fetch || !window.FormData) { return; }
  var url = form.getAttribute("data-autosave-url");
  if (!url) { return; }  // switched off after a refused stale save
  var revision = form.querySelector("[data-revision]");
  // The closing marker stays the form's last element: without it the server refuses a
  // body as cut short, so FormData(form) must carry it (and nothing may follow it).
  var marker = form.querySelector("[data-end-marker]");
  var INTERRUPTED = "L'enregistrement automatique n'a pas abouti (connexion interrompue) : vos saisies restent dans la page, réessayez.";
  var status = form.querySelector("[data-autosave-status]");
  var timer = null;
  var saving = false;
  var pending = false;
  var DELAY_MS = 1500;

  function say(text, isError) {
    if (!status) { return; }
    status.textContent = text;
    status.classList.toggle("fr-error-text", Boolean(isError));
  }

  function save() {
    if (saving) { pending = true; return; }
    saving = true;
    var data = new FormData(form);
    form.querySelectorAll("input[type=file]").forEach(function (input) { data.delete(input.name); });
    data.delete("action");
    // The marker goes last, whatever the page holds, so that a body cut anywhere lacks it.
    data.delete("_fin");
    data.append("_fin", marker ? marker.value : "1");
    fetch(url, { method: "POST", body: data, credentials: "same-origin", headers: { "X-Requested-With": "XMLHttpRequest" } })
      .then(function (response) {
        return response.json()
          .catch(function () { return { error: INTERRUPTED }; })
          .then(function (body) { return { ok: response.ok && body.revision !== undefined, body: body }; });
      })
      .then(function (result) {
        if (result.ok) {
          revision.value = result.body.revision;
          var now = new Date();
          say("Brouillon enregistré à " + now.toLocaleTimeString("fr-FR", { hour: "2-digit", minute: "2-digit" }) + ".");
        } else {
          say(result.body.error || "Le brouillon n'a pas pu être enregistré.", true);
          pending = false;
        }
      })
      .catch(function () { say(INTERRUPTED, true); })
      .finally(function () {
        saving = false;
        if (pending) { pending = false; save(); }
      });
  }

  function schedule(event) {
    if (event.target && event.target.type === "file") { return; }
    window.clearTimeout(timer);
    say("Modifications non enregistrées…");
    timer = window.setTimeout(save, DELAY_MS);
  }

  form.addEventListener("input", schedule);
  form.addEventListener("change", schedule);
  // A click on a button while a save is on its way waits for it, so the page posts the
  // revision that save returned instead of one the server has already moved past.
  form.addEventListener("submit", function (event) {
    window.clearTimeout(timer);
    if (!saving) { return; }
    event.preventDefault();
    var button = event.submitter;
    var wait = window.setInterval(function () {
      if (saving) { return; }
      window.clearInterval(wait);
      if (button && button.name) {
        var hidden = document.createElement("input");
        hidden.type = "hidden";
        hidden.name = button.name;
        hidden.value = button.value;
        if (marker) { form.insertBefore(hidden, marker); } else { form.appendChild(hidden); }
      }
      form.submit();
    }, 100);
  });
})();
