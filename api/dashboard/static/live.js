/*
 * The case page keeps itself up to date: every POLL_MS (the setting DASHBOARD_REFRESH_SECONDS,
 * which the page writes on this script's tag) it reads the page again and replaces the parts
 * marked data-live (the conversation with the assistant, the exchanges with the team) when
 * they changed, then says what arrived in the page's polite live region, so that a screen
 * reader announces it. The forms are never replaced: a reply being typed is kept.
 */
(function () {
  "use strict";

  var POLL_MS = Number(document.currentScript.getAttribute("data-refresh-ms"));
  var status = document.getElementById("live-status");
  var parts = document.querySelectorAll("[data-live]");
  if (!status || !parts.length || !POLL_MS || !window.fetch || !window.DOMParser) {
    return;
  }

  function count(element, selector) {
    return element ? element.querySelectorAll(selector).length : 0;
  }

  function plural(n, one, many) {
    return n + " " + (n > 1 ? many : one);
  }

  function update(html) {
    var fresh = new DOMParser().parseFromString(html, "text/html");
    var news = [];
    Array.prototype.forEach.call(document.querySelectorAll("[data-live]"), function (part) {
      var name = part.getAttribute("data-live");
      var next = fresh.querySelector('[data-live="' + name + '"]');
      if (!next || next.textContent === part.textContent) {
        return;
      }
      var added = count(next, ".turn-visitor") - count(part, ".turn-visitor");
      if (added > 0) {
        news.push(plural(added, "nouveau message de la personne", "nouveaux messages de la personne")
          + (name === "transcript" ? " dans la conversation avec l'assistant" : ""));
      }
      part.replaceWith(document.importNode(next, true));
    });
    if (news.length) {
      var text = news.join(" ; ") + ".";
      status.textContent = text.charAt(0).toUpperCase() + text.slice(1);
    }
  }

  function poll() {
    if (document.hidden) {
      return;
    }
    window.fetch(window.location.href, { credentials: "same-origin", redirect: "error" })
      .then(function (response) {
        return response.ok ? response.text() : null;
      })
      .then(function (html) {
        if (html) {
          update(html);
        }
      })
      .catch(function () {
        /* signed out or offline: the page stays as it is, a reload says why */
      });
  }

  window.setInterval(poll, POLL_MS);
})();
