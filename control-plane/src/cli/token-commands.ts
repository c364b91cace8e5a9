import { type CliContext, EXIT, positiveInt, usage } from "./context.js";

/** A token as the API shows it. */
interface Token {
  id: string;
  name: string;
  role: string;
  state: string;
  expires_at: string | null;
  token?: string;
}

/**
 * `palisadectl tokens list|create|rotate|revoke|whoami` and `palisadectl roles list|put|delete`.
 * A created or rotated token's secret is printed once, on its own line (table output), so a
 * script can take it with `| head -1`.
 */
export async function tokens(ctx: CliContext, args: readonly string[]): Promise<number> {
  const { o, io } = ctx;
  const api = ctx.api();
  const [action, arg] = args;
  const shown = (t: Token) => {
    if (ctx.format !== "table") ctx.print(t);
    else
      io.out(`${t.token}\n(token ${t.id} "${t.name}", role ${t.role}, expires ${t.expires_at ?? "never"}; shown once)`);
  };
  switch (action) {
    case "list":
    case undefined: {
      const q = new URLSearchParams();
      if (o.role) q.set("role", o.role);
      ctx.print((await api.request<{ items: unknown[] }>("GET", `/v1/tokens${q.size ? `?${q}` : ""}`)).items, "tokens");
      return EXIT.OK;
    }
    case "create": {
      if (!arg) throw usage("tokens create <name> --role ROLE [--region R]… [--route-prefix /p]… [--ttl SECONDS]");
      if (!o.role) throw usage("tokens create needs --role (admin, operator, security, viewer or a custom role)");
      const body: Record<string, unknown> = { name: arg, role: o.role };
      if (o.region) body.regions = o.region;
      if (o["route-prefix"]) body.route_prefixes = o["route-prefix"];
      if (o.ttl !== undefined) body.ttl_s = positiveInt(o.ttl, "--ttl");
      shown(await api.request<Token>("POST", "/v1/tokens", body));
      return EXIT.OK;
    }
    case "rotate": {
      if (!arg) throw usage("tokens rotate <id> [--ttl SECONDS]");
      const body = o.ttl !== undefined ? { ttl_s: positiveInt(o.ttl, "--ttl") } : {};
      shown(await api.request<Token>("POST", `/v1/tokens/${encodeURIComponent(arg)}/rotate`, body));
      return EXIT.OK;
    }
    case "revoke": {
      if (!arg) throw usage("tokens revoke <id>");
      await api.request("DELETE", `/v1/tokens/${encodeURIComponent(arg)}`);
      if (ctx.format === "table") io.out(`token ${arg} revoked`);
      else ctx.print({ revoked: arg });
      return EXIT.OK;
    }
    case "whoami":
      ctx.print(await api.request("GET", "/v1/tokens/self"));
      return EXIT.OK;
    default:
      throw usage("tokens needs list, create, rotate, revoke or whoami");
  }
}

/** `palisadectl roles list|put <name> --permission P…|delete <name>`. */
export async function roles(ctx: CliContext, args: readonly string[]): Promise<number> {
  const api = ctx.api();
  const [action, name] = args;
  switch (action) {
    case "list":
    case undefined:
      ctx.print((await api.request<{ items: unknown[] }>("GET", "/v1/roles")).items, "roles");
      return EXIT.OK;
    case "put": {
      if (!name || !ctx.o.permission) throw usage("roles put <name> --permission resource:verb [--permission …]");
      const body = {
        name,
        permissions: ctx.o.permission,
        ...(ctx.o.description ? { description: ctx.o.description } : {}),
      };
      const r = await api.request("PUT", `/v1/roles/${encodeURIComponent(name)}`, body);
      if (ctx.format === "table") ctx.io.out(`role ${name} saved`);
      else ctx.print(r);
      return EXIT.OK;
    }
    case "delete":
      if (!name) throw usage("roles delete <name>");
      await api.request("DELETE", `/v1/roles/${encodeURIComponent(name)}`);
      if (ctx.format === "table") ctx.io.out(`role ${name} deleted`);
      return EXIT.OK;
    default:
      throw usage("roles needs list, put or delete");
  }
}
