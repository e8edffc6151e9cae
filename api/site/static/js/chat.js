/*
 * The demo page's chat: a small widget of the project's own over Rasa's socket.io channel
 * (socket.io's browser client, vendor/socket.io.min.js, from web/package-lock.json). Its
 * configuration is the page's JSON block (no inline script: the page's CSP allows scripts
 * from 'self' only). What it owes to its users:
 * - the conversation is kept in the browser (key "chat_session", with Rasa's session id, so
 *   that Rasa's session persistence finds the same conversation after a reload);
 * - new messages are announced by a polite live region (the conversation is a role="log"),
 *   every control has a French name, Escape closes the chat and focus returns where it was;
 * - the messages are built as DOM nodes from a small Markdown subset (paragraphs, lists,
 *   bold, links), never as HTML: a referent's words cannot run as markup, and links keep to
 *   safe schemes;
 * - a referent's messages ("<team name> : ...", see docs/contracts.md) are labelled as theirs,
 *   and a status line says while a referent is connected, derived from the conversation itself
 *   so that it survives a reload as the messages do;
 * - under each knowledge answer, "Cette réponse vous a-t-elle aidé ?" (docs/contracts.md,
 *   "Rating an answer"): the answer's rating tag arrives as a custom message just before it;
 *   the rating goes to the API directly, never through Rasa, so that it takes no turn.
 */
(function () {
  "use strict";

  var config = JSON.parse(document.getElementById("chat-config").textContent);
  var STORAGE_KEY = "chat_session";
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

  var root = document.querySelector("[data-chat]");
  var launcher = root.querySelector(".chat-launcher");
  var panel = root.querySelector(".chat-panel");
  var scroller = root.querySelector(".chat-scroll");
  var log = root.querySelector(".chat-messages");
  var replies = root.querySelector(".chat-replies");
  var form = root.querySelector(".chat-form");
  var field = form.querySelector("input");
  var sendButton = form.querySelector("button");
  var connection = root.querySelector(".chat-connection");
  var pageStatus = document.getElementById("chat-status");

  var storage = pickStorage();
  var conversation = load();
  var socket = null;
  var ready = false;
  var pendingQuestion = null;
  var greeted = false;
  var returnFocusTo = null;
  var announcedTeam = null;
  // While the messages are rendered: the rating tag waiting for its answer, then its line.
  var waitingRating = null;
  var ratingLine = null;

  /* -- storage ------------------------------------------------------------------------- */

  function pickStorage() {
    try {
      var chosen = config.storage === "session" ? window.sessionStorage : window.localStorage;
      chosen.getItem(STORAGE_KEY);
      return chosen;
    } catch (error) {
      return null; // storage refused (private browsing): the chat still works, unsaved
    }
  }

  function load() {
    var saved = null;
    try {
      saved = storage && JSON.parse(storage.getItem(STORAGE_KEY) || "null");
    } catch (error) {
      saved = null;
    }
    if (!saved || !Array.isArray(saved.messages)) {
      return { session_id: saved && saved.session_id ? saved.session_id : null, messages: [] };
    }
    return saved;
  }

  function save() {
    if (storage) {
      try {
        storage.setItem(STORAGE_KEY, JSON.stringify(conversation));
      } catch (error) {
        /* full or refused: the conversation lives on in the page */
      }
    }
  }

  /* -- Markdown subset, built as nodes ----------------------------------------------- */

  var INLINE = /\[([^\]\n]+)\]\(([^)\s]+)\)|\*\*([^*\n]+)\*\*|(https?:\/\/[^\s<>()]*[^\s<>().,;:!?»])/;

  function safeUrl(href) {
    var url;
    try {
      url = new URL(href, window.location.href);
    } catch (error) {
      return null;
    }
    return SAFE_PROTOCOLS.indexOf(url.protocol) === -1 ? null : url;
  }

  function link(text, href) {
    var url = safeUrl(href);
    if (!url) {
      return document.createTextNode(text);
    }
    var element = document.createElement("a");
    element.href = url.href;
    element.textContent = text;
    if (url.origin !== window.location.origin && url.protocol.indexOf("http") === 0) {
      element.target = "_blank";
      element.rel = "noopener noreferrer";
      var warning = document.createElement("span");
      warning.className = "visually-hidden";
      warning.textContent = " (nouvel onglet)";
      element.appendChild(warning);
    }
    return element;
  }

  function inline(text, parent) {
    // A pattern of its own per call: bold text is read by a nested call.
    var pattern = new RegExp(INLINE.source, "g");
    var last = 0;
    var match;
    while ((match = pattern.exec(text)) !== null) {
      parent.appendChild(document.createTextNode(text.slice(last, match.index)));
      if (match[1] !== undefined) {
        parent.appendChild(link(match[1], match[2]));
      } else if (match[3] !== undefined) {
        var strong = document.createElement("strong");
        inline(match[3], strong);
        parent.appendChild(strong);
      } else {
        parent.appendChild(link(match[4], match[4]));
      }
      last = pattern.lastIndex;
    }
    parent.appendChild(document.createTextNode(text.slice(last)));
  }

  function markdown(text, parent) {
    var lines = String(text || "").replace(/\r\n?/g, "\n").split("\n");
    var paragraph = null;
    var list = null;
    lines.forEach(function (line) {
      var bullet = /^\s*[-*•]\s+(.*)$/.exec(line);
      var numbered = /^\s*\d+[.)]\s+(.*)$/.exec(line);
      if (bullet || numbered) {
        var kind = bullet ? "UL" : "OL";
        if (!list || list.tagName !== kind) {
          list = document.createElement(kind);
          parent.appendChild(list);
        }
        var item = document.createElement("li");
        inline((bullet || numbered)[1], item);
        list.appendChild(item);
        paragraph = null;
      } else if (!line.trim()) {
        paragraph = null;
        list = null;
      } else if (list && /^\s+/.test(line)) {
        // A continued list item.
        inline(" " + line.trim(), list.lastChild);
      } else {
        list = null;
        if (paragraph) {
          paragraph.appendChild(document.createElement("br"));
        } else {
          paragraph = document.createElement("p");
          parent.appendChild(paragraph);
        }
        inline(line.replace(/\s+$/, ""), paragraph);
      }
    });
  }

  /* -- referents ------------------------------------------------------------------------ */

  function plain(text) {
    // French typography puts a (narrow) no-break space before the colon.
    return (text || "").replace(/[\u00a0\u202f]/g, " ").replace(/\s+/g, " ").trim();
  }

  function teamStarting(text, words) {
    for (var i = 0; i < config.referentTeams.length; i += 1) {
      if (text.indexOf(config.referentTeams[i] + words) === 0) {
        return config.referentTeams[i];
      }
    }
    return null;
  }

  function teamSpeaking(text) {
    return teamStarting(text, " :") || teamStarting(text, ":");
  }

  function statusText(team) {
    // "Équipe accueil du Grand-Figeac" reads "de l'équipe accueil du Grand-Figeac".
    var name = /^[ÉE]quipe /.test(team) ? "é" + team.slice(1) : team;
    return "Un·e référent·e de l'" + name + " est connecté·e";
  }

  /* The last join or close message of the conversation decides who is connected. */
  function liveTeam() {
    var team = null;
    conversation.messages.forEach(function (message) {
      if (message.type !== "bot") {
        return;
      }
      var text = plain(message.text);
      if (teamSpeaking(text)) {
        team = teamSpeaking(text);
      } else if (teamStarting(text, JOINED)) {
        team = teamStarting(text, JOINED);
      } else if (teamStarting(text, CLOSED) || text.toLowerCase().indexOf(ASSISTANT_RESUMES) !== -1) {
        team = null;
      }
    });
    return team;
  }

  function showReferentStatus() {
    var team = liveTeam();
    var line = panel.querySelector(".lot-referent-status");
    if (!team && line) {
      line.parentNode.removeChild(line);
    } else if (team) {
      if (!line) {
        line = document.createElement("p");
        line.className = "lot-referent-status";
        panel.insertBefore(line, connection);
      }
      line.textContent = statusText(team);
    }
    if (team !== announcedTeam) {
      announcedTeam = team;
      pageStatus.textContent = team ? statusText(team) : "";
    }
  }

  /* -- rating an answer ------------------------------------------------------------------ */

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

  function sendRating(tag, state) {
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

  function ratingButton(text, label, onClick) {
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

  /* Redraws the line, keeping the keyboard focus inside it (the clicked button is gone). */
  function drawRating(box, tag, focus) {
    var state = remembered(tag) || { key: newKey(), rating: null };
    var next = function () {
      sendRating(tag, state).then(function () { drawRating(box, tag, true); });
    };
    box.textContent = "";
    if (state.done || state.rating === "up") {
      box.appendChild(document.createTextNode("Merci pour votre avis !"));
    } else if (state.rating === "down" && state.reason) {
      var comment = document.createElement("form");
      comment.className = "lot-rating-comment";
      var label = document.createElement("label");
      label.textContent = "Un commentaire ? (facultatif)";
      var text = document.createElement("textarea");
      text.maxLength = COMMENT_MAX;
      text.rows = 2;
      label.appendChild(text);
      comment.appendChild(label);
      var submit = ratingButton("Envoyer le commentaire", null, function () {});
      submit.type = "submit";
      comment.appendChild(submit);
      comment.addEventListener("submit", function (event) {
        event.preventDefault();
        state.comment = text.value.trim();
        state.done = true;
        next();
      });
      box.appendChild(document.createTextNode("Merci ! "));
      box.appendChild(comment);
    } else if (state.rating === "down") {
      box.appendChild(document.createTextNode("Qu'est-ce qui n'allait pas ? "));
      REASONS.forEach(function (reason) {
        box.appendChild(ratingButton(reason[1], null, function () {
          state.reason = reason[0];
          next();
        }));
      });
    } else {
      box.appendChild(document.createTextNode("Cette réponse vous a-t-elle aidé ? "));
      box.appendChild(ratingButton("👍", "Oui, cette réponse m'a aidé", function () {
        state.rating = "up";
        next();
      }));
      box.appendChild(ratingButton("👎", "Non, cette réponse ne m'a pas aidé", function () {
        state.rating = "down";
        next();
      }));
    }
    if (focus) {
      (box.querySelector("button, textarea") || box).focus();
    }
  }

  function ratingBox(tag) {
    var box = document.createElement("div");
    box.className = "lot-rating";
    box.setAttribute("role", "group");
    box.setAttribute("aria-label", "Votre avis sur cette réponse");
    box.tabIndex = -1;
    drawRating(box, tag, false);
    return box;
  }

  /* -- the conversation ------------------------------------------------------------------ */

  /* A message says who speaks: hidden words for a screen reader, a visible label for a
     referent. The bubble itself holds the words only. */
  function bubble(message) {
    var item = document.createElement("div");
    var speaker = document.createElement("span");
    var body = document.createElement("div");
    speaker.className = "visually-hidden";
    if (message.type === "visitor") {
      item.className = "chat-message chat-message--visitor";
      speaker.textContent = "Vous : ";
      body.className = "chat-bubble chat-bubble--visitor";
      body.textContent = message.text;
    } else {
      item.className = "chat-message chat-message--bot";
      body.className = "chat-bubble chat-bubble--bot";
      var team = teamSpeaking(plain(message.text));
      if (team) {
        speaker.textContent = "Message de l'équipe accueil : ";
        body.classList.add("lot-referent");
        body.setAttribute("data-team", team);
        var label = document.createElement("span");
        label.className = "chat-speaker";
        label.setAttribute("aria-hidden", "true");
        label.textContent = "Référent·e accueil";
        body.appendChild(label);
      } else {
        speaker.textContent = "L'assistant : ";
      }
      markdown(message.text, body);
    }
    item.appendChild(speaker);
    item.appendChild(body);
    return item;
  }

  /* Rasa sends an answer paragraph by paragraph: the rating line goes under the answer's
     last part. Later parts are inserted above the line rather than the line moved below them,
     so that the live region announces each part once and the line once. */
  function render(message) {
    if (message.type === "rating") {
      waitingRating = message.feedback;
      ratingLine = null;
      return null;
    }
    var item = bubble(message);
    if (message.type === "visitor") {
      waitingRating = null;
      ratingLine = null;
    }
    log.insertBefore(item, ratingLine);
    if (message.type === "bot" && waitingRating) {
      ratingLine = ratingBox(waitingRating);
      log.appendChild(ratingLine);
      waitingRating = null;
    }
    return item;
  }

  /* The quick replies of the assistant's last message with some, until the visitor speaks. */
  function showReplies() {
    var offered = null;
    for (var i = conversation.messages.length - 1; i >= 0; i -= 1) {
      var message = conversation.messages[i];
      if (message.type === "visitor") {
        break;
      }
      if (message.type === "bot" && message.replies && message.replies.length) {
        offered = message.replies;
        break;
      }
    }
    replies.textContent = "";
    replies.hidden = !offered;
    (offered || []).forEach(function (reply) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "chat-reply";
      button.textContent = reply.title;
      button.addEventListener("click", function () {
        send(reply.payload, reply.title);
        field.focus();
      });
      replies.appendChild(button);
    });
  }

  /* The visitor's last message at the top, so that the answer is read from its start;
     the browser stops at the end when the rest fits. */
  function showFromTop(element) {
    scroller.scrollTop += element.getBoundingClientRect().top - scroller.getBoundingClientRect().top - 8;
  }

  function showLastExchange() {
    var asked = log.querySelectorAll(".chat-message--visitor");
    if (asked.length) {
      showFromTop(asked[asked.length - 1]);
    } else {
      scroller.scrollTop = scroller.scrollHeight;
    }
  }

  /* The view follows a burst of messages from its first one: the visitor's question and the
     parts of its answer (Rasa sends them at once), or a message that comes later on its own,
     such as a referent's words. */
  var BURST_GAP_MS = 3000;
  var burstStart = null;
  var lastArrival = 0;

  function follow(item) {
    var now = Date.now();
    if (!item) {
      return;
    }
    if (!burstStart || item.classList.contains("chat-message--visitor") || now - lastArrival > BURST_GAP_MS) {
      burstStart = item;
    }
    lastArrival = now;
    showFromTop(burstStart);
  }

  function add(message) {
    conversation.messages.push(message);
    save();
    var item = render(message);
    showReplies();
    showReferentStatus();
    follow(item);
    if (message.type === "bot" && panel.hidden) {
      launcher.classList.add("chat-launcher--unread");
      launcher.querySelector(".chat-launcher__unread").hidden = false;
    }
  }

  function receive(data) {
    if (!data) {
      return;
    }
    if (data.feedback && data.feedback.signature) {
      add({ type: "rating", feedback: data.feedback });
      return;
    }
    if (typeof data.text !== "string" || !data.text.trim()) {
      return; // nothing this page shows (an image, a carousel)
    }
    var offered = (data.quick_replies || data.buttons || []).map(function (reply) {
      return { title: String(reply.title), payload: String(reply.payload) };
    });
    add({ type: "bot", text: data.text, replies: offered });
  }

  function send(message, shown) {
    if (!ready) {
      return false;
    }
    if (shown) {
      add({ type: "visitor", text: shown });
    }
    socket.emit("user_uttered", { message: message, session_id: conversation.session_id });
    return true;
  }

  /* -- connection ------------------------------------------------------------------------ */

  function setReady(value, text) {
    ready = value;
    field.disabled = !value;
    sendButton.disabled = !value;
    connection.hidden = value;
    connection.textContent = value ? "" : text;
    // A disabled field loses the focus (and the launcher that had it is hidden): give it back.
    var lost = !document.activeElement || document.activeElement === document.body;
    if (value && !panel.hidden && lost) {
      field.focus();
    }
  }

  function greetOrAsk() {
    if (pendingQuestion) {
      var question = pendingQuestion;
      pendingQuestion = null;
      send(question, question);
    } else if (!panel.hidden && conversation.messages.length === 0 && !greeted) {
      // Once a page: the greeting may still be on its way when the chat opens again.
      greeted = send(config.initPayload, null);
    }
  }

  function connect() {
    setReady(false, config.connectingText);
    socket = window.io(config.socketUrl, { path: config.socketPath });
    socket.on("connect", function () {
      socket.emit("session_request", { session_id: conversation.session_id });
    });
    socket.on("session_confirm", function (confirmed) {
      var id = typeof confirmed === "string" ? confirmed : confirmed && confirmed.session_id;
      if (id !== conversation.session_id) {
        conversation = { session_id: id, messages: [] };
        log.textContent = "";
        waitingRating = null;
        ratingLine = null;
        burstStart = null;
        save();
      }
      setReady(true, "");
      greetOrAsk();
    });
    socket.on("bot_uttered", receive);
    socket.on("disconnect", function () {
      setReady(false, "Connexion perdue : nouvelle tentative en cours…");
    });
  }

  /* -- opening and closing ---------------------------------------------------------------- */

  // Where the open chat covers the whole screen (site.css), the page under it is made inert:
  // focus cannot wander behind it, out of sight. Escape and "Fermer" still leave the chat.
  var fullScreen = window.matchMedia("(max-width: 36rem), (max-height: 32rem)");

  function coverPage() {
    var covered = !panel.hidden && fullScreen.matches;
    Array.prototype.forEach.call(document.body.children, function (element) {
      if (element !== root && element.tagName !== "SCRIPT") {
        element.inert = covered;
      }
    });
  }

  function open(opener) {
    returnFocusTo = opener || launcher;
    if (panel.hidden) {
      panel.hidden = false;
      launcher.hidden = true;
      launcher.setAttribute("aria-expanded", "true");
      launcher.classList.remove("chat-launcher--unread");
      launcher.querySelector(".chat-launcher__unread").hidden = true;
      coverPage();
      showLastExchange();
    }
    if (ready) {
      greetOrAsk();
    }
    field.focus();
  }

  function close() {
    panel.hidden = true;
    launcher.hidden = false;
    launcher.setAttribute("aria-expanded", "false");
    coverPage();
    var target = returnFocusTo && document.body.contains(returnFocusTo) ? returnFocusTo : launcher;
    returnFocusTo = null;
    target.focus();
  }

  function bind() {
    launcher.addEventListener("click", function () {
      open(launcher);
    });
    root.querySelector(".chat-close").addEventListener("click", close);
    fullScreen.addEventListener("change", coverPage);
    panel.addEventListener("keydown", function (event) {
      if (event.key === "Escape") {
        event.preventDefault();
        close();
      }
    });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var text = field.value.trim();
      if (text && send(text, text)) {
        field.value = "";
      }
    });
    document.addEventListener("click", function (event) {
      var target = event.target.closest("[data-open-chat], [data-ask]");
      if (!target) {
        return;
      }
      if (target.hasAttribute("data-ask")) {
        pendingQuestion = target.getAttribute("data-ask");
      }
      open(target);
    });
  }

  function start() {
    if (typeof window.io !== "function") {
      document.getElementById("chat-unavailable").hidden = false;
      return;
    }
    conversation.messages.forEach(render);
    showReplies();
    showReferentStatus();
    root.hidden = false;
    bind();
    connect();
  }

  start();
})();
