import Keycloak from 'keycloak-js';

/** Where to sign in; the gateway serves it next to the console (console-settings.json). */
export interface ConsoleSettings {
  keycloakUrl: string;
  realm: string;
  clientId: string;
}

export interface Session {
  userId: string;
  userName: string;
  roles: string[];
  /** A fresh access token (refreshed when it has under 30 s left). */
  token(): Promise<string>;
  signOut(): Promise<void>;
}

/** Signs in through Keycloak (authorization code + PKCE) before the app renders anything. */
export async function signIn(settings: ConsoleSettings): Promise<Session> {
  const keycloak = new Keycloak({
    url: settings.keycloakUrl,
    realm: settings.realm,
    clientId: settings.clientId,
  });
  await keycloak.init({
    onLoad: 'login-required',
    pkceMethod: 'S256',
    // No session iframe: it needs third-party cookies, and the token refresh tells the same.
    checkLoginIframe: false,
  });
  const parsed = keycloak.tokenParsed ?? {};
  return {
    userId: parsed.sub ?? '',
    userName: (parsed as { preferred_username?: string }).preferred_username ?? parsed.sub ?? '',
    roles: parsed.realm_access?.roles ?? [],
    async token() {
      await keycloak.updateToken(30);
      return keycloak.token ?? '';
    },
    signOut: () => keycloak.logout({ redirectUri: window.location.origin + '/' }),
  };
}
