// Keeps the dashboard current, copies commands, and confirms removals. No dependencies.
(() => {
    "use strict";
    const refreshMilliseconds = 2000;

    function startLiveRefresh() {
        const live = document.getElementById("live");
        if (!live) return;
        const offline = document.getElementById("offline");
        let shown = live.innerHTML.trim();

        async function refresh() {
            try {
                const response = await fetch(live.dataset.src, { cache: "no-store", credentials: "same-origin" });
                if (response.redirected || response.status === 401) {
                    // The login cookie ran out: the poll was sent to the login page.
                    window.location.assign(response.url || "/login");
                    return;
                }
                if (!response.ok) throw new Error(`HTTP ${response.status}`);
                const html = (await response.text()).trim();
                if (html !== shown) {
                    live.innerHTML = html;
                    shown = html;
                }
                offline.hidden = true;
            } catch {
                offline.hidden = false;
            }
            window.setTimeout(refresh, refreshMilliseconds);
        }

        window.setTimeout(refresh, refreshMilliseconds);
    }

    // navigator.clipboard exists only on HTTPS or localhost; the lab usually browses plain HTTP.
    async function copyText(text) {
        if (navigator.clipboard && window.isSecureContext) {
            await navigator.clipboard.writeText(text);
            return;
        }
        const scratch = document.createElement("textarea");
        scratch.value = text;
        scratch.setAttribute("readonly", "");
        scratch.style.position = "fixed";
        scratch.style.opacity = "0";
        document.body.appendChild(scratch);
        scratch.select();
        const copied = document.execCommand("copy");
        scratch.remove();
        if (!copied) throw new Error("copy refused");
    }

    document.addEventListener("click", async (event) => {
        const button = event.target.closest("button[data-copy]");
        if (!button) return;
        const label = button.textContent;
        try {
            await copyText(button.dataset.copy);
            button.textContent = "Copied";
            button.classList.add("copied");
        } catch {
            button.textContent = "Select and copy by hand";
        }
        window.setTimeout(() => {
            button.textContent = label;
            button.classList.remove("copied");
        }, 1500);
    });

    document.addEventListener("submit", (event) => {
        if (event.target.id !== "remove-form") return;
        const name = event.submitter && event.submitter.value;
        const connected = event.submitter && event.submitter.dataset.connections;
        const question = connected
            ? `Remove export "${name}" and disconnect its ${connected} connected client(s)?\n\nThose machines lose their disk now.`
            : `Remove export "${name}"?\n\nNew targets can no longer attach it.`;
        if (!window.confirm(question)) event.preventDefault();
    });

    // A refused form comes back as a new page scrolled to the top: bring its errors into view.
    function showFormErrors() {
        const errors = document.querySelector("[data-scroll-into-view]");
        if (!errors) return;
        errors.scrollIntoView({ block: "start" });
        errors.focus({ preventScroll: true });
    }

    document.addEventListener("DOMContentLoaded", () => {
        showFormErrors();
        startLiveRefresh();
    });
})();
