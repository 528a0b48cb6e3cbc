// The sign-in screen: tenant, username, password; keeps the token on success.

import { ApiError, login, setToken } from "./api";
import { h, setAlert } from "./dom";

export function renderLogin(root: HTMLElement, onSignedIn: () => void, notice = ""): void {
  const tenant = h("input", { id: "tenant", name: "tenant", type: "text", autocomplete: "organization", required: true, value: "demo" });
  const username = h("input", { id: "username", name: "username", type: "text", autocomplete: "username", required: true, autofocus: true });
  const password = h("input", { id: "password", name: "password", type: "password", autocomplete: "current-password", required: true });
  const submit = h("button", { type: "submit", class: "primary" }, "Sign in");
  const error = h("p", { id: "login-error", class: "alert", role: "alert" });
  setAlert(error, notice);

  const form = h(
    "form",
    { id: "login-form", class: "card login", novalidate: true },
    h("h1", {}, "Switchboard"),
    h("p", { class: "muted" }, "Sign in to the softphone or the wallboard."),
    h("div", { class: "field" }, h("label", { for: "tenant" }, "Tenant"), tenant),
    h("div", { class: "field" }, h("label", { for: "username" }, "Username"), username),
    h("div", { class: "field" }, h("label", { for: "password" }, "Password"), password),
    error,
    submit,
  );

  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const values = [tenant.value.trim(), username.value.trim(), password.value];
    if (values.some((v) => v === "")) {
      setAlert(error, "Enter the tenant, your username and your password.");
      (values[0] === "" ? tenant : values[1] === "" ? username : password).focus();
      return;
    }
    submit.disabled = true;
    setAlert(error, "");
    try {
      setToken(await login(values[0], values[1], values[2]));
      onSignedIn();
    } catch (err) {
      const message =
        err instanceof ApiError && err.status === 401
          ? "Wrong tenant, username or password."
          : err instanceof Error
            ? err.message
            : String(err);
      setAlert(error, message);
      password.select();
      password.focus();
    } finally {
      submit.disabled = false;
    }
  });

  root.replaceChildren(form);
  username.focus();
}
