/*
 * Starts the rasa-webchat widget from the page's JSON configuration (no inline script:
 * the page's CSP allows scripts from 'self' only) and adds what the widget lacks:
 * - a referent's messages ("<team name> : ...", see docs/contracts.md) styled as theirs;
 * - a status line while a referent is connected, derived from the conversation itself,
 *   so that it survives a reload as the messages do;
 * - French names for the widget's controls, for screen readers;
 * - links from the conversation kept to safe schemes (the widget renders Markdown links
 *   without filtering javascript: URLs).
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

  function decorate() {
    scheduled = false;
    labelControls();
    showStatus(mount, decorateMessages(mount));
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
