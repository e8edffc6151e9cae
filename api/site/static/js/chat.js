/*
 * Starts the rasa-webchat widget from the page's JSON configuration (no inline script:
 * the page's CSP allows scripts from 'self' only) and adds what the widget lacks:
 * - a referent's messages ("<team name> : ...", see docs/contracts.md) styled as theirs;
 * - a status line while a referent is connected, derived from the conversation itself,
 *   so that it survives a reload as the messages do;
 * - French names for the widget's controls, for screen readers;
 * - links from the conversation kept to safe schemes (the widget renders Markdown links
 *   without filtering javascript: URLs);
 * - under each knowledge answer, "Cette réponse vous a-t-elle aidé ?" (docs/contracts.md,
 *   "Rating an answer"): the answer's rating tag arrives as a custom message, which the widget
 *   renders, in its place, through `customComponent`; that component draws nothing itself (no
 *   React here) and the line is added into its empty slot, then sent to the API directly,
 *   never through Rasa, so that rating takes no turn and changes no slot.
 */
(function () {
  "use strict";

  var config = JSON.parse(document.getElementById("chat-config").textContent);
  var mount = document.getElementById("chat-widget");
  var liveRegion = document.getElementById("chat-status");
  var SAFE_PROTOCOLS = ["http:", "https:", "mailto:", "tel:"];
  // The bot's wording when a referent joins or leaves (bot/actions/texts.py).
  var JOINED = " a rejoint la conversation";
  var CLOSED = " a terminé la conversation";
  var ASSISTANT_RESUMES = "je reprends la main";

  var REASONS = [
    ["not_my_question", "Ce n'est pas ma question"],
    ["inaccurate", "C'est inexact"],
    ["outdated", "Ce n'est plus à jour"],
    ["not_local", "Pas assez précis pour ma commune"]
  ];
  var COMMENT_MAX = 500;
  // Message index in the widget -> rating tag of the answer just before it.
  var ratingTags = {};

  var widget = null;
  var pendingQuestion = null;
  var announcedTeam = null;
  var scheduled = false;

  function plain(text) {
    // French typography puts a (narrow) no-break space before the colon.
    return (text || "").replace(/[\u00a0\u202f]/g, " ").replace(/\s+/g, " ").trim();
  }

  function teamSpeaking(text) {
    for (var i = 0; i < config.referentTeams.length; i += 1) {
      var team = config.referentTeams[i];
      if (text.indexOf(team + " :") === 0 || text.indexOf(team + ":") === 0) {
        return team;
      }
    }
    return null;
  }

  function teamStarting(text, words) {
    for (var i = 0; i < config.referentTeams.length; i += 1) {
      var team = config.referentTeams[i];
      if (text.indexOf(team + words) === 0) {
        return team;
      }
    }
    return null;
  }

  function statusText(team) {
    // "Équipe accueil du Grand-Figeac" reads "de l'équipe accueil du Grand-Figeac".
    var name = /^[ÉE]quipe /.test(team) ? "é" + team.slice(1) : team;
    return "Un·e référent·e de l'" + name + " est connecté·e";
  }

  function markReferentMessage(message, team) {
    var bubble = message.querySelector(".rw-response");
    if (bubble && !bubble.classList.contains("lot-referent")) {
      bubble.classList.add("lot-referent");
      bubble.setAttribute("data-team", team);
    }
    message.classList.add("lot-referent-message");
  }

  function keepLinksSafe(message) {
    var links = message.querySelectorAll("a[href]");
    for (var i = 0; i < links.length; i += 1) {
      var link = links[i];
      var url;
      try {
        url = new URL(link.getAttribute("href"), window.location.href);
      } catch (error) {
        url = null;
      }
      if (!url || SAFE_PROTOCOLS.indexOf(url.protocol) === -1) {
        link.removeAttribute("href");
        continue;
      }
      if (url.origin !== window.location.origin) {
        link.setAttribute("target", "_blank");
        link.setAttribute("rel", "noopener noreferrer");
      }
    }
  }

  /* Walks the messages in order: the last join or close message decides the status. */
  function decorateMessages(container) {
    var liveTeam = null;
    var messages = container.querySelectorAll(".rw-message");
    for (var i = 0; i < messages.length; i += 1) {
      var message = messages[i];
      var response = message.querySelector(".rw-response .rw-message-text");
      if (!response) {
        continue;
      }
      keepLinksSafe(message);
      var text = plain(response.textContent);
      var speaking = teamSpeaking(text);
      if (speaking) {
        markReferentMessage(message, speaking);
        liveTeam = speaking;
      } else if (teamStarting(text, JOINED)) {
        liveTeam = teamStarting(text, JOINED);
      } else if (teamStarting(text, CLOSED) || text.toLowerCase().indexOf(ASSISTANT_RESUMES) !== -1) {
        liveTeam = null;
      }
    }
    return liveTeam;
  }

  function showStatus(container, team) {
    var conversation = container.querySelector(".rw-conversation-container");
    var line = container.querySelector(".lot-referent-status");
    if (!team || !conversation) {
      if (line) {
        line.parentNode.removeChild(line);
      }
    } else {
      if (!line) {
        line = document.createElement("p");
        line.className = "lot-referent-status";
        var header = conversation.querySelector(".rw-header-and-loading, .rw-header");
        conversation.insertBefore(line, header ? header.nextSibling : conversation.firstChild);
      }
      if (line.textContent !== statusText(team)) {
        line.textContent = statusText(team);
      }
    }
    if (team !== announcedTeam) {
      announcedTeam = team;
      liveRegion.textContent = team ? statusText(team) : "";
    }
  }

  function label(selector, text) {
    var element = mount.querySelector(selector);
    if (element && element.getAttribute("aria-label") !== text) {
      element.setAttribute("aria-label", text);
    }
  }

  function labelControls() {
    var open = Boolean(mount.querySelector(".rw-conversation-container"));
    label(".rw-launcher", open ? "Fermer l'assistant" : "Ouvrir l'assistant");
    label(".rw-close-button", "Fermer l'assistant");
    label(".rw-new-message", "Votre message");
    label(".rw-send", "Envoyer");
  }


  /* -- rating an answer ------------------------------------------------------------------ */

  function RatingSlot(props) {
    if (props && props.feedback && props.feedback.signature) {
      ratingTags[props.id] = props.feedback;
      scheduleDecorate();
    }
    return null;
  }

  function newKey() {
    if (window.crypto && typeof window.crypto.randomUUID === "function") {
      return window.crypto.randomUUID();
    }
    var bytes = window.crypto.getRandomValues(new Uint8Array(16));
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    var hex = Array.prototype.map.call(bytes, function (b) { return (b + 256).toString(16).slice(1); }).join("");
    return hex.slice(0, 8) + "-" + hex.slice(8, 12) + "-" + hex.slice(12, 16) + "-" + hex.slice(16, 20) + "-" + hex.slice(20);
  }

  function remembered(tag) {
    try {
      return JSON.parse(window.sessionStorage.getItem("lot-rating:" + tag.signature) || "null");
    } catch (error) {
      return null;
    }
  }

  function remember(tag, state) {
    try {
      window.sessionStorage.setItem("lot-rating:" + tag.signature, JSON.stringify(state));
    } catch (error) {
      /* private browsing: the line simply comes back after a reload */
    }
  }

  function send(tag, state) {
    var body = {
      entry_id: tag.entry_id,
      question: tag.question,
      theme: tag.theme,
      commune: tag.commune,
      signature: tag.signature,
      rating: state.rating,
      reason: state.reason || null,
      comment: state.comment || null
    };
    remember(tag, state);
    return window.fetch("/v1/feedback/" + state.key, {
      method: "PUT",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body)
    });
  }

  function button(text, label, onClick) {
    var element = document.createElement("button");
    element.type = "button";
    element.className = "lot-rating-button";
    element.textContent = text;
    if (label) {
      element.setAttribute("aria-label", label);
    }
    element.addEventListener("click", onClick);
    return element;
  }

  function drawRating(box, tag) {
    var state = remembered(tag) || { key: newKey(), rating: null };
    box.textContent = "";
    if (state.done || (state.rating === "up")) {
      box.appendChild(document.createTextNode("Merci pour votre avis !"));
      return;
    }
    if (state.rating === "down" && state.reason) {
      var form = document.createElement("form");
      form.className = "lot-rating-comment";
      var label = document.createElement("label");
      label.textContent = "Un commentaire ? (facultatif)";
      var field = document.createElement("textarea");
      field.maxLength = COMMENT_MAX;
      field.rows = 2;
      label.appendChild(field);
      form.appendChild(label);
      form.appendChild(button("Envoyer", null, function () {}));
      form.lastChild.type = "submit";
      form.addEventListener("submit", function (event) {
        event.preventDefault();
        state.comment = field.value.trim();
        state.done = true;
        send(tag, state).then(function () { drawRating(box, tag); });
      });
      box.appendChild(document.createTextNode("Merci ! "));
      box.appendChild(form);
      return;
    }
    if (state.rating === "down") {
      box.appendChild(document.createTextNode("Qu'est-ce qui n'allait pas ? "));
      REASONS.forEach(function (reason) {
        box.appendChild(button(reason[1], null, function () {
          state.reason = reason[0];
          send(tag, state).then(function () { drawRating(box, tag); });
        }));
      });
      return;
    }
    box.appendChild(document.createTextNode("Cette réponse vous a-t-elle aidé ? "));
    box.appendChild(button("👍", "Oui, cette réponse m'a aidé", function () {
      state.rating = "up";
      send(tag, state).then(function () { drawRating(box, tag); });
    }));
    box.appendChild(button("👎", "Non, cette réponse ne m'a pas aidé", function () {
      state.rating = "down";
      send(tag, state).then(function () { drawRating(box, tag); });
    }));
  }

  /* The widget renders each custom message as an empty ".rw-message": the k-th of them, in
     the page's order, is the k-th rating tag in message order. The tag comes just before its
     answer (so that the answer keeps its quick replies, shown under the last message only);
     the line goes under the answer's last bubble, and follows it while its parts arrive. */
  function answerEnd(slot) {
    var last = null;
    var next = slot.nextElementSibling;
    while (next && next.classList.contains("rw-message") && !next.classList.contains("lot-rating-slot")
        && !next.querySelector(".rw-client") && next.innerHTML !== "") {
      if (next.querySelector(".rw-response")) {
        last = next;
      }
      next = next.nextElementSibling;
    }
    return last;
  }

  function addRatingLines() {
    var ids = Object.keys(ratingTags).map(Number).sort(function (a, b) { return a - b; });
    var slots = mount.querySelectorAll(".rw-message:empty, .rw-message.lot-rating-slot");
    for (var i = 0; i < slots.length && i < ids.length; i += 1) {
      var slot = slots[i];
      var tag = ratingTags[ids[i]];
      slot.classList.add("lot-rating-slot");
      var end = answerEnd(slot);
      if (!end) {
        continue;
      }
      var box = mount.querySelector('.lot-rating[data-signature="' + tag.signature + '"]');
      if (!box) {
        box = document.createElement("div");
        box.className = "lot-rating";
        box.setAttribute("data-signature", tag.signature);
        box.setAttribute("role", "group");
        box.setAttribute("aria-label", "Votre avis sur cette réponse");
        drawRating(box, tag);
      }
      var bubble = end.querySelector(".rw-response");
      if (box.previousElementSibling !== bubble) {
        bubble.parentNode.insertBefore(box, bubble.nextSibling);
      }
    }
  }

  function decorate() {
    scheduled = false;
    labelControls();
    showStatus(mount, decorateMessages(mount));
    addRatingLines();
    askPendingQuestion();
  }

  function scheduleDecorate() {
    if (!scheduled) {
      scheduled = true;
      window.requestAnimationFrame(decorate);
    }
  }

  function isOpen() {
    return Boolean(mount.querySelector(".rw-conversation-container"));
  }

  function openChat() {
    var launcher = mount.querySelector(".rw-launcher");
    if (!isOpen() && launcher) {
      launcher.click();
    }
    window.setTimeout(function () {
      var input = mount.querySelector(".rw-new-message");
      if (input) {
        input.focus();
      }
    }, 100);
  }

  function askPendingQuestion() {
    if (pendingQuestion && widget && isOpen() && mount.querySelector(".rw-new-message")) {
      var question = pendingQuestion;
      pendingQuestion = null;
      widget.sendMessage(question, question);
    }
  }

  function ask(question) {
    pendingQuestion = question;
    openChat();
    scheduleDecorate();
  }

  function bindPageButtons() {
    document.addEventListener("click", function (event) {
      var target = event.target.closest("[data-open-chat], [data-ask]");
      if (!target) {
        return;
      }
      if (target.hasAttribute("data-ask")) {
        ask(target.getAttribute("data-ask"));
      } else {
        openChat();
      }
    });
  }

  function start() {
    if (!window.WebChat || typeof window.WebChat.default !== "function") {
      document.getElementById("chat-unavailable").hidden = false;
      return;
    }
    window.WebChat.default(
      {
        initPayload: config.initPayload,
        socketUrl: config.socketUrl,
        socketPath: config.socketPath,
        title: config.title,
        subtitle: config.subtitle,
        inputTextFieldHint: config.inputPlaceholder,
        connectingText: config.connectingText,
        // Keep the launcher visible while Rasa restarts; the header says "connecting".
        hideWhenNotConnected: false,
        // Rules are a Botfront feature; without them the widget shows before Rasa answers.
        withRules: false,
        params: { storage: config.storage },
        customMessageDelay: function (message) {
          return Math.min(Math.max(message.length * 10, 300), 1200);
        },
        customComponent: RatingSlot,
        innerRef: function (instance) {
          widget = instance;
        }
      },
      mount
    );
    new MutationObserver(scheduleDecorate).observe(mount, {
      childList: true,
      subtree: true,
      characterData: true
    });
    bindPageButtons();
  }

  start();
})();
