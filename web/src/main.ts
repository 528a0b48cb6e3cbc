// Entry point: shows the sign-in screen, or (when a token is kept) the
// wallboard and reports for supervisors and admins and the softphone for
// agents. The two apps are loaded when needed (their own chunks, with
// JsSIP and uPlot), so the sign-in screen comes without them.

import { ApiError, clearToken, fetchMe, getToken } from "./api";
import { h } from "./dom";
import { renderLogin } from "./login-view";

const root = document.getElementById("app") as HTMLElement;

function showLogin(notice = ""): void {
  renderLogin(root, () => void showApp(), notice);
}

async function showApp(): Promise<void> {
  const token = getToken();
  if (!token) {
    showLogin();
    return;
  }
  root.replaceChildren(h("p", { class: "card loading" }, "Loading…"));
  try {
    const me = await fetchMe();
    const signOut = (notice?: string) => {
      clearToken();
      showLogin(notice);
    };
    if (me.role === "supervisor" || me.role === "admin") {
      const { renderSupervisor } = await import("./supervisor-view");
      renderSupervisor(root, me, token, signOut);
    } else {
      const { renderSoftphone } = await import("./softphone-view");
      renderSoftphone(root, me, token, signOut);
    }
  } catch (err) {
    if (err instanceof ApiError && (err.status === 401 || err.status === 403)) {
      clearToken();
      showLogin("Your session has ended. Please sign in again.");
    } else {
      clearToken();
      showLogin(err instanceof Error ? err.message : String(err));
    }
  }
}

void showApp();
