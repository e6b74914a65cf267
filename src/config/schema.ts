/**
 * The configuration file's schema: every key, its type and its default. One section per area;
 * each area owns its section. `coursehub config docs` (and docs/configuration.md) are generated
 * from the `.describe()` texts, so every key must have one.
 *
 * Unknown keys are errors (`.strict()`): a typo must stop the start, not be ignored.
 */
import { isIP } from 'node:net';
import { z } from 'zod';
import { egressEntryProblem } from '../sandbox/egress-entries.js';

/**
 * An address to listen on: an IP address or `localhost`. Anything else would reach Node's
 * listen() or the authenticator's loopback check and fail there with a message about them.
 */
function listenAddress(defaultValue: string, description: string) {
  return z
    .string()
    .refine((ip) => ip === 'localhost' || isIP(ip) !== 0, {
      error: (issue) =>
        `${JSON.stringify(issue.input)} is not an IP address: use one such as 127.0.0.1 (this machine only), 0.0.0.0 or :: (every address), or localhost`,
    })
    .default(defaultValue)
    .describe(description);
}

/** The database URL forms src/db/database.ts opens; any other `scheme:` is refused by name. */
const DATABASE_URL_PREFIXES = ['postgresql://', 'postgres://', 'sqlite://'];

export const hubSection = z
  .object({
    ip: listenAddress(
      '127.0.0.1',
      'Address the hub (and its proxy) listens on (an IP address or localhost).',
    ),
    port: z
      .number()
      .int()
      .min(1)
      .max(65535)
      .default(8000)
      .describe('Public port: the proxy, which users reach.'),
    hubPort: z
      .number()
      .int()
      .min(0)
      .max(65535)
      .default(8081)
      .describe('Port of the hub process behind the proxy (loopback).'),
    hubIp: z
      .enum(['127.0.0.1', '0.0.0.0', '::'])
      .default('127.0.0.1')
      .describe(
        "Address the hub process listens on (JupyterHub's hub_ip). 127.0.0.1: only the proxy and servers on this machine reach it. 0.0.0.0 or :: (loopback included): also users' servers in containers on a Docker network, which reach its API at spawner.docker.hubConnectUrl (the hub in a container, as docker-compose.yml runs it).",
      ),
    baseUrl: z
      .string()
      .default('/')
      .describe(
        "URL prefix the hub is served under (JupyterHub's base_url), e.g. /jhub/: the hub's pages under BASE/hub/, users' servers under BASE/user/NAME/.",
      ),
    publicUrl: z
      .string()
      .optional()
      .describe('Public URL (https://...) when behind TLS; sets Secure cookies.'),
    dataDir: z.string().default('./data').describe('Where the database, cookie secret and logs live.'),
    cookieSecret: z
      .string()
      .optional()
      .describe(
        'Secret that signs cookies (hex). Generated on first start into DATA_DIR/cookie_secret (mode 600) when absent.',
      ),
  })
  .strict();

export const dbSection = z
  .object({
    url: z
      .string()
      .superRefine((url, context) => {
        // A scheme of two letters or more (a one-letter one would be a drive, not a scheme).
        const scheme = /^([A-Za-z][A-Za-z0-9+.-]+):/.exec(url)?.[1];
        if (scheme && !DATABASE_URL_PREFIXES.some((prefix) => url.startsWith(prefix)))
          // The URL itself is not repeated: it may hold a password.
          context.addIssue({
            code: 'custom',
            message: `a "${scheme}:" URL is not a database coursehub can use; use postgresql:// (or postgres://), sqlite:///PATH or a file path`,
          });
      })
      .optional()
      .describe(
        'postgresql://user:pass@host/db (or postgres://) for PostgreSQL; sqlite:///PATH or a file path for SQLite; default: SQLite file DATA_DIR/coursehub.sqlite.',
      ),
  })
  .strict();

/** Login: which authenticator, and each one's settings (src/hub/auth/). */
export const authSection = z
  .object({
    authenticator: z
      .enum(['local', 'github', 'oidc', 'dummy'])
      .default('local')
      .describe(
        'How users log in: local passwords, GitHub OAuth, a generic OpenID Connect provider, or dummy (any password; loopback-only demos).',
      ),
    sessionMaxAgeDays: z
      .number()
      .positive()
      .default(14)
      .describe('How long a login lasts before the user must log in again.'),
    adminContact: z
      .string()
      .default('your instructor')
      .describe('Whom the "not allowed" page tells users to ask for access.'),
    local: z
      .object({
        adminUser: z
          .string()
          .default('admin')
          .describe('Admin account created on first start when no local password exists yet.'),
        adminPassword: z
          .string()
          .optional()
          .describe(
            'Its password (env COURSEHUB_ADMIN_PASSWORD); when absent one is generated and printed once.',
          ),
        minPasswordLength: z.number().int().min(6).default(8).describe('Shortest password accepted.'),
        maxFailures: z
          .number()
          .int()
          .min(1)
          .default(5)
          .describe('Failed logins (per user name and per client IP) before a lock-out.'),
        failureWindowMinutes: z
          .number()
          .positive()
          .default(10)
          .describe('Window in which failures are counted, and how long a lock-out lasts.'),
      })
      .strict()
      .default({ adminUser: 'admin', minPasswordLength: 8, maxFailures: 5, failureWindowMinutes: 10 })
      .describe('Settings of the local (password) authenticator.'),
    github: z
      .object({
        clientId: z.string().optional().describe('OAuth app client id (env GITHUB_CLIENT_ID).'),
        clientSecret: z.string().optional().describe('OAuth app secret (env GITHUB_CLIENT_SECRET).'),
        callbackUrl: z
          .string()
          .optional()
          .describe('https://HOST/hub/oauth_callback, as registered at GitHub (env OAUTH_CALLBACK_URL).'),
        allowedOrganizations: z
          .array(z.string())
          .default([])
          .describe('When non-empty, only members of one of these organizations may log in.'),
        webUrl: z.string().default('https://github.com').describe('GitHub web base URL (authorize, token).'),
        apiUrl: z.string().default('https://api.github.com').describe('GitHub API base URL.'),
      })
      .strict()
      .default({ allowedOrganizations: [], webUrl: 'https://github.com', apiUrl: 'https://api.github.com' })
      .describe('Settings of the GitHub authenticator.'),
    oidc: z
      .object({
        issuer: z.string().optional().describe('Issuer URL; its /.well-known/openid-configuration is read.'),
        clientId: z.string().optional().describe('Client id registered at the provider.'),
        clientSecret: z.string().optional().describe('Client secret (omit for a public client).'),
        callbackUrl: z.string().optional().describe('https://HOST/hub/oauth_callback, as registered.'),
        usernameClaim: z
          .string()
          .default('preferred_username')
          .describe('ID-token / userinfo claim that becomes the user name (lowercased).'),
        scopes: z
          .array(z.string())
          .default(['openid', 'profile', 'email'])
          .describe('Scopes requested at login.'),
        buttonLabel: z.string().default('OpenID Connect').describe('Shown as "Sign in with ...".'),
      })
      .strict()
      .default({
        usernameClaim: 'preferred_username',
        scopes: ['openid', 'profile', 'email'],
        buttonLabel: 'OpenID Connect',
      })
      .describe('Settings of the generic OpenID Connect authenticator.'),
  })
  .strict();

/** Settings of the local spawner (src/hub/spawner/local-process-spawner.ts): `spawner.local.*`. */
const localSpawnerSection = z
  .object({
    command: z
      .array(z.string())
      .min(1)
      .default(['/usr/bin/jupyter-notebook'])
      .describe(
        'The Jupyter server command (e.g. ["jupyter", "lab"] or ["jupyter", "server"] where installed).',
      ),
    args: z
      .array(z.string())
      .default([
        '--NotebookApp.base_url={base_url}',
        '--ip=127.0.0.1',
        '--port={port}',
        '--NotebookApp.port_retries=0',
        '--no-browser',
        '--notebook-dir={home}',
      ])
      .describe(
        'Arguments after `command`; {base_url}, {port} and {home} are filled in. The server token is passed as JUPYTER_TOKEN in the environment, never in argv.',
      ),
    homeRoot: z
      .string()
      .default('/home')
      .describe("Directory under which each user's persistent home (ROOT/NAME, mode 700) is made."),
    sandbox: z
      .enum(['auto', 'bubblewrap', 'none'])
      .default('auto')
      .describe(
        'Run local servers inside bubblewrap, seeing only their own home (+ system dirs read-only). `auto` = when /usr/bin/bwrap exists.',
      ),
  })
  .strict();

const egressList = (what: string) =>
  z
    .array(
      z.string().superRefine((entry, context) => {
        const problem = egressEntryProblem(entry);
        if (problem) context.addIssue({ code: 'custom', message: `${problem}; write CIDR[:port]` });
      }),
    )
    .default([])
    .describe(what);

/** What user servers may connect to (src/sandbox/egress-policy.ts): `spawner.network.*`. */
const networkSection = z
  .object({
    policy: z
      .enum(['nftables', 'none'])
      .default('nftables')
      .describe(
        "Egress policy of user servers. `nftables` (root and Debian's nftables package): a server and all it starts reach the hub's API, their own account's services on this host (kernels, a local Dask) and anything off this host; not other services of this host (loopback or not: proxy API, database, other users' servers), cloud metadata (169.254.0.0/16, fd00:ec2::254), a remote hub database, or `deny`. Rules match socket owners, live in their own table and outlast a hub stop. Where they cannot apply (no nft, not root) the hub warns and servers run unrestricted. `none`: no rules.",
      ),
    allow: egressList(
      'Exceptions to every block of the policy (the built-in ones and `deny`), as CIDR[:port] entries: `10.0.0.0/8`, `192.0.2.7:5432`, `[2001:db8::1]:443`. A port applies to TCP and UDP. Example: a course database on this host, `127.0.0.1:5433`; or, with `deny: ["0.0.0.0/0", "::/0"]`, the one package mirror servers may use.',
    ),
    deny: egressList(
      "Addresses user servers may not connect to, beyond the built-in blocks, as CIDR[:port] entries: e.g. `10.0.0.0/8` (the campus network), `100.100.100.200` (another cloud's metadata), or `0.0.0.0/0` and `::/0` for no outside world at all (DNS servers included).",
    ),
    table: z
      .string()
      .regex(/^[A-Za-z][A-Za-z0-9_]{0,31}$/, 'letters, digits and "_", starting with a letter (at most 32)')
      .default('coursehub')
      .describe(
        'The nftables table (family inet) that holds the rules. Two hubs on one host need two names.',
      ),
  })
  .strict();

/** Swarm mode of the Docker spawner (src/hub/spawner/docker-swarm-spawner.ts): `spawner.docker.swarm.*`. */
const swarmSection = z
  .object({
    constraints: z
      .array(z.string().min(1))
      .default([])
      .describe(
        "Placement constraints of every user's service, as `docker service create --constraint` takes them, e.g. `node.labels.coursehub == notebooks` or `node.role == worker`.",
      ),
    memoryReservationMb: z
      .number()
      .int()
      .min(0)
      .default(0)
      .describe(
        'Memory each server reserves on its node in MiB (0 = none): the swarm places a service only on a node with that much unreserved, so a class spreads instead of piling onto one node. The cap is `spawner.memoryLimitMb`.',
      ),
    volumeDriver: z
      .string()
      .min(1)
      .default('local')
      .describe(
        "The volume driver that makes the user's volume `jupyterhub-user-{username}` on whichever node the service runs (`local`: a folder of that node; a network driver, or `local` with NFS options, makes it reachable from every node).",
      ),
    volumeDriverOptions: z
      .record(z.string(), z.string())
      .default({})
      .describe(
        'Options of the volume driver, e.g. for `local` over NFS: {type: nfs, o: "addr=10.0.0.5,rw", device: ":/export/homes/{username}"}; {username} is filled in.',
      ),
  })
  .strict();

/** Settings of the Docker spawner (src/hub/spawner/docker-spawner.ts): `spawner.docker.*`. */
const dockerSpawnerSection = z
  .object({
    image: z
      .string()
      .min(1)
      .default('quay.io/jupyter/base-notebook:latest')
      .describe(
        'The image of user servers (env DOCKER_NOTEBOOK_IMAGE). It must start as docker-stacks images do: run as root with NB_USER, NB_UID and NB_GID, make that account, source /usr/local/bin/before-notebook.d/*.sh as root, then run the command as the account with its groups and the environment kept (docs/docker.md).',
      ),
    allowedImages: z
      .array(z.string().min(1))
      .default([])
      .describe(
        'Other images a user may choose with the start option `image` (user_options); `image` is always allowed. A name not on this list is refused, never pulled or run.',
      ),
    network: z
      .string()
      .min(1)
      .default('host')
      .describe(
        "The network of user servers (env DOCKER_NETWORK_NAME). `host`: the server listens on 127.0.0.1 at a port of its own, the proxy and the hub's API are reached on loopback, and the egress policy (`spawner.network`) holds it by its uid as it holds local servers. Another name: a Docker network the hub reaches (the hub in a container on it); the server listens on port 8888 at the container's address, and reaches the hub at `hubConnectUrl`.",
      ),
    hubConnectUrl: z
      .string()
      .optional()
      .describe(
        "The hub's API as servers on a Docker network (not `host`) reach it, e.g. http://coursehub:8081/hub/api (JupyterHub's hub_connect_url). Default: the API URL the hub uses itself.",
      ),
    notebookDir: z
      .string()
      .regex(/^\//, 'an absolute path')
      .default('/home/{username}')
      .describe(
        "Where the user's volume `jupyterhub-user-{username}` is mounted in the container, the server's root folder (env DOCKER_NOTEBOOK_DIR); {username} is filled in. docker-stacks makes the home /home/NB_USER.",
      ),
    command: z
      .array(z.string())
      .min(1)
      .default(['start.sh', 'jupyter', 'notebook'])
      .describe(
        "The container's command: the image's start script, then the Jupyter server (docker-stacks: start.sh jupyter lab, or start-singleuser.py).",
      ),
    args: z
      .array(z.string())
      .default([
        '--NotebookApp.base_url={base_url}',
        '--ip={ip}',
        '--port={port}',
        '--NotebookApp.port_retries=0',
        '--no-browser',
        '--notebook-dir={notebook_dir}',
      ])
      .describe(
        'Arguments after `command`; {base_url}, {ip}, {port} and {notebook_dir} are filled in. Tokens never go in argv or the environment Docker shows: a root-only file the start script sources hands them over.',
      ),
    pullPolicy: z
      .enum(['ifnotpresent', 'always', 'never'])
      .default('ifnotpresent')
      .describe(
        '`ifnotpresent`: pull an image missing on the Docker host; `always`: pull before every start; `never`: use only images already there.',
      ),
    host: z
      .string()
      .optional()
      .describe(
        'The Docker Engine API: a unix socket path or tcp://HOST:PORT. Default: DOCKER_HOST, else /var/run/docker.sock.',
      ),
    helperImage: z
      .string()
      .optional()
      .describe(
        "The image of the short-lived containers that read and write a user's volume as the user (tar and python3 inside). Default: `image`.",
      ),
    swarm: swarmSection
      .default(swarmSection.parse({}))
      .describe(
        'Settings of swarm mode (`class: docker-swarm`): each server a swarm service (docs/scaling.md).',
      ),
  })
  .strict();

/** User servers: which spawner class, what every class honours, and each class's own settings. */
export const spawnerSection = z
  .object({
    class: z
      .enum(['local', 'docker', 'docker-swarm'])
      .default('local')
      .describe(
        "Which spawner starts user servers: `local` runs each as a local process under a Unix account named after the user (as root; otherwise as the hub's own user); its settings are under `spawner.local`. `docker` runs each in a container of its own with a volume for the home (`spawner.docker`). `docker-swarm` runs each as a swarm service of the Docker host's swarm, with the same settings and `spawner.docker.swarm` (docs/scaling.md).",
      ),
    // The defaults fit a class on a 2-core teaching VM with a few GB: one student's runaway code
    // (a leak, a loop, a fork bomb) stops at its own server's limits, and the hub and the rest of
    // the class keep the other core and most of the memory.
    memoryLimitMb: z
      .number()
      .int()
      .min(0)
      .default(1024)
      .describe(
        'Memory cap per server (the notebook server and all its kernels) in MiB; 0 = none. The local spawner holds it with a cgroup v1 memory group where writable (the OOM killer then ends the largest process of that server only), else with RLIMIT_AS of twice this per process.',
      ),
    cpuLimit: z
      .number()
      .min(0)
      .default(1)
      .describe(
        "CPU cap per server in cores (1 = one core's worth of time); 0 = none. The local spawner holds it with cgroup v1 only (rlimits cannot cap a rate): without cgroups it is not held, and the start log says so.",
      ),
    processLimit: z
      .number()
      .int()
      .min(0)
      .default(256)
      .describe(
        "Most processes and threads per server at once (a notebook server with a kernel uses about 20); 0 = none. Stops fork bombs. The local spawner holds it with a cgroup v1 pids group where writable, else with RLIMIT_NPROC for the user's own account (a hub that is not root runs servers as its own account and sets none).",
      ),
    environment: z
      .record(z.string(), z.string())
      .default({})
      .describe(
        "Extra environment variables for every user server. The hub sets JupyterHub's JUPYTERHUB_* variables, HOME, USER and PATH (with the `coursehub` command first) itself; a JUPYTER_CONFIG_PATH given here comes after coursehub's own notebook configuration (share/singleuser/).",
      ),
    startTimeoutSeconds: z
      .number()
      .positive()
      .default(60)
      .describe('How long a server may take from start to answering HTTP before the start fails.'),
    pollIntervalSeconds: z
      .number()
      .positive()
      .default(30)
      .describe(
        'How often the hub checks that running servers are still alive (a crashed one loses its route).',
      ),
    concurrentSpawnLimit: z
      .number()
      .int()
      .min(0)
      .default(100)
      .describe('Most servers starting at the same time; more start requests get 429. 0 = no limit.'),
    activeServerLimit: z
      .number()
      .int()
      .min(0)
      .default(0)
      .describe('Most servers running (or starting) at once; more start requests get 429. 0 = no limit.'),
    allowNamedServers: z
      .boolean()
      .default(false)
      .describe(
        "JupyterHub's allow_named_servers: each user may run more servers than their default one, each with a name, at `/user/NAME/SERVER/` (REST API: `/hub/api/users/NAME/servers/SERVER`). They share the user's home; each is its own Jupyter process with its own port and token.",
      ),
    namedServerLimitPerUser: z
      .number()
      .int()
      .min(0)
      .default(0)
      .describe(
        "JupyterHub's named_server_limit_per_user: most named servers a user may have (running or stopped; the default server does not count); a start of one more gets 400. 0 = no limit.",
      ),
    cullIdleTimeoutSeconds: z
      .number()
      .int()
      .min(0)
      .default(0)
      .describe(
        'Stop a server idle this long (no proxied traffic and no kernel activity reported by its /api/status); 0 = never.',
      ),
    cullEverySeconds: z
      .number()
      .positive()
      .default(60)
      .describe('How often the idle culler looks for idle servers.'),
    activityIntervalSeconds: z
      .number()
      .positive()
      .default(300)
      .describe(
        "How often the hub records each running server's and its user's last_activity (proxied traffic, kernel activity from the server's /api/status), whether or not the culler runs (JupyterHub's last_activity_interval).",
      ),
    stopServersOnHubStop: z
      .boolean()
      .default(false)
      .describe(
        'Stop every user server when the hub stops. Off by default, as in JupyterHub with an external proxy: servers keep running, the restarted hub re-attaches to them from the database, and open notebooks do not notice.',
      ),
    network: networkSection
      .default(networkSection.parse({}))
      .describe('What user servers may connect to: the egress policy, with allow and deny lists.'),
    local: localSpawnerSection
      .default(localSpawnerSection.parse({}))
      .describe('Settings of the local spawner (`class: local`).'),
    docker: dockerSpawnerSection
      .default(dockerSpawnerSection.parse({}))
      .describe('Settings of the Docker spawner (`class: docker`).'),
  })
  .strict();

/**
 * Keys that moved (the configuration is strict: an old key is an error, and the error names the
 * new path).
 */
export const MOVED_KEYS: Record<string, string> = {
  'spawner.command': 'spawner.local.command',
  'spawner.args': 'spawner.local.args',
  'spawner.homeRoot': 'spawner.local.homeRoot',
  'spawner.sandbox': 'spawner.local.sandbox',
};

/** Who may use the hub: the roster files imported at every start (src/hub/users/). */
export const usersSection = z
  .object({
    instructors: z
      .string()
      .optional()
      .describe(
        'CSV file of instructors (header id,first_name,last_name,email), imported at start; they become admins. A relative path is relative to the config file.',
      ),
    students: z
      .string()
      .optional()
      .describe('CSV file of students (same header), imported at start; they become allowed users.'),
    prune: z
      .boolean()
      .default(false)
      .describe(
        'When importing at start, remove users who came from a roster file and are no longer listed (users created by hand are never removed). A prune of more than a tenth of the instructors or students stops the start: confirm it once with `coursehub users import ... --prune --yes`.',
      ),
  })
  .strict();

/**
 * The seed's one course (COURSE_NAME, COURSE_HOME): with the roster files of `users`, one course
 * whose instructors and students they list (src/exchange/courses/). More courses are made in the
 * hub or with `coursehub course create`.
 */
export const courseSection = z
  .object({
    name: z
      .string()
      .optional()
      .describe(
        "The seed's course id (nbgrader's course_id; env COURSE_NAME). With it, users.instructors become its instructors and users.students its students (and its gradebook's student list), and a student an admin adds later is enrolled too.",
      ),
    home: z
      .string()
      .optional()
      .describe(
        "That course's directory (env COURSE_HOME), laid out as nbgrader's (source/, release/, submitted/, autograded/, feedback/); default DATA_DIR/courses/NAME.",
      ),
    title: z.string().optional().describe("That course's title, shown on its pages; default its id."),
  })
  .strict();

/** What one submission may hold (src/exchange/): refused with a message naming the limit. */
export const exchangeSection = z
  .object({
    maxFileMb: z
      .number()
      .positive()
      .default(100)
      .describe("Largest file of a submission, in MiB (nbgrader's max_file_size is 100000 KB)."),
    maxTotalMb: z
      .number()
      .positive()
      .default(500)
      .describe('Largest submission, all files together, in MiB.'),
    maxFiles: z
      .number()
      .int()
      .positive()
      .default(1000)
      .describe('Most files in one submission (folders not counted).'),
  })
  .strict();

export const logSection = z
  .object({
    level: z
      .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
      .default('info')
      .describe('Least severe log level written (pino JSON lines on stdout).'),
  })
  .strict();

export const proxySection = z
  .object({
    apiIp: listenAddress(
      '127.0.0.1',
      "Address of the proxy's REST API (keep it on loopback: only the hub calls it).",
    ),
    apiPort: z
      .number()
      .int()
      .min(1)
      .max(65535)
      .default(8001)
      .describe("Port of the proxy's REST API (configurable-http-proxy's default)."),
    autoStart: z
      .boolean()
      .default(true)
      .describe(
        'Start the proxy as its own detached process when none is running (re-using a running one). Off: run `coursehub proxy` yourself, e.g. under a service manager.',
      ),
    adminAccess: z
      .boolean()
      .default(false)
      .describe("JupyterHub's admin_access: admins may open other users' servers through the proxy."),
    authCacheTtlSeconds: z
      .number()
      .positive()
      .default(30)
      .describe("How long the proxy trusts the hub's answer about a login before asking again."),
    authMaxStaleSeconds: z
      .number()
      .nonnegative()
      .default(900)
      .describe(
        'While the hub cannot be reached (restarting), logins the proxy already accepted stay accepted for up to this long.',
      ),
  })
  .strict();

/** HTTPS served by the proxy itself (src/hub/proxy/tls-*.ts): the seed's secrets/jupyterhub.crt and .key. */
export const httpsSection = z
  .object({
    certFile: z
      .string()
      .optional()
      .describe(
        "PEM certificate (chain) the proxy serves on hub.port (the seed's secrets/jupyterhub.crt; env SSL_CERT). With keyFile, users reach the hub over https only; a relative path is relative to the config file.",
      ),
    keyFile: z
      .string()
      .optional()
      .describe("PEM private key of certFile (the seed's secrets/jupyterhub.key; env SSL_KEY)."),
    redirectPort: z
      .number()
      .int()
      .min(0)
      .max(65535)
      .default(0)
      .describe(
        'Plain-HTTP port (on hub.ip) that redirects every request to https on hub.port, e.g. 80 beside 443 as the seed has it. 0: none.',
      ),
    hstsMaxAgeSeconds: z
      .number()
      .int()
      .nonnegative()
      .default(31536000)
      .describe(
        'Strict-Transport-Security max-age on every https answer (one year by default): browsers then refuse plain http to this host. 0: no header.',
      ),
    reloadIntervalSeconds: z
      .number()
      .positive()
      .default(5)
      .describe(
        'How often the proxy checks certFile and keyFile for a renewed pair, which it then serves without a restart (SIGHUP to the proxy reloads at once). A pair that does not match is logged and the old one kept.',
      ),
  })
  .strict()
  .superRefine((https, context) => {
    if ((https.certFile === undefined) !== (https.keyFile === undefined))
      context.addIssue({
        code: 'custom',
        path: [https.certFile === undefined ? 'certFile' : 'keyFile'],
        message: 'https needs both certFile and keyFile (or neither, for plain http)',
      });
  });
/**
 * JupyterHub's services (src/hub/services/): programs beside the hub with a name, an API token,
 * an address proxied at BASE/services/NAME/ and, when `command` is given, run by the hub itself
 * (managed services, restarted when they die). One list, keys named as JupyterHub's.
 */
export const SERVICE_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

export const serviceEntry = z
  .object({
    name: z
      .string()
      .regex(SERVICE_NAME_PATTERN)
      .describe('The service name (letters, digits, "_", ".", "-").'),
    url: z
      .url({ protocol: /^http$/ })
      .optional()
      .describe('Where the service listens (http://127.0.0.1:PORT); proxied at BASE/services/NAME/.'),
    apiToken: z.string().min(16).optional().describe('The service API token (JupyterHub api_token).'),
    apiTokenEnv: z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_]*$/)
      .optional()
      .describe('Name of an environment variable of the hub that holds the API token.'),
    command: z
      .array(z.string())
      .min(1)
      .optional()
      .describe('Managed service: the command the hub runs, keeps running and stops with itself.'),
    environment: z.record(z.string(), z.string()).default({}).describe('Extra environment for the command.'),
    cwd: z.string().optional().describe('Working directory of the command.'),
    scopes: z.array(z.string()).default([]).describe("Scopes of the service's API token."),
    oauthClientId: z.string().optional().describe('OAuth client id (default service-NAME).'),
    oauthRedirectUri: z
      .string()
      .optional()
      .describe('OAuth redirect URI (default BASE/services/NAME/oauth_callback).'),
    oauthNoConfirm: z
      .boolean()
      .default(false)
      .describe("Skip the consent page for this client (JupyterHub's oauth_no_confirm)."),
    oauthClientAllowedScopes: z
      .array(z.string())
      .default([])
      .describe('Scopes this OAuth client may ask for on behalf of a user.'),
    oauthAccess: z
      .enum(['admins', 'all'])
      .default('admins')
      .describe(
        "Who may log in to the service through the hub: admins (JupyterHub's default: only the admin role holds access:services) or all (every user, as a JupyterHub role granting access:services!service=NAME).",
      ),
    display: z
      .boolean()
      .default(true)
      .describe(
        "The Service model's `display` (JupyterHub lists such services on its home page; coursehub's home page does not yet).",
      ),
    info: z.record(z.string(), z.unknown()).default({}).describe('Free-form information shown in the API.'),
  })
  .strict();

export type ServiceConfig = z.infer<typeof serviceEntry>;

export const servicesSection = z
  .array(serviceEntry)
  .default([])
  .superRefine((services, context) => {
    const seen = new Set<string>();
    services.forEach((service, index) => {
      if (seen.has(service.name))
        context.addIssue({
          code: 'custom',
          path: [index, 'name'],
          message: `a second service named "${service.name}"`,
        });
      seen.add(service.name);
      if (service.apiToken && service.apiTokenEnv)
        context.addIssue({
          code: 'custom',
          path: [index, 'apiTokenEnv'],
          message: 'give apiToken or apiTokenEnv, not both',
        });
    });
  })
  .describe(
    "JupyterHub's services, each {name, url, apiToken | apiTokenEnv, command, environment, cwd, scopes, oauthClientId, oauthRedirectUri, oauthNoConfirm, oauthClientAllowedScopes, oauthAccess, display, info}. A service with a url is proxied at BASE/services/NAME/; with a command the hub runs it with JUPYTERHUB_SERVICE_NAME, JUPYTERHUB_API_TOKEN, JUPYTERHUB_API_URL, JUPYTERHUB_CLIENT_ID, JUPYTERHUB_OAUTH_CALLBACK_URL, JUPYTERHUB_SERVICE_PREFIX and JUPYTERHUB_SERVICE_URL, restarts it when it dies and stops it with the hub (a managed service without a token gets a new one at each start).",
  );

export const configSchema = z
  .object({
    hub: hubSection.default(hubSection.parse({})),
    db: dbSection.default(dbSection.parse({})),
    users: usersSection.default(usersSection.parse({})),
    log: logSection.default(logSection.parse({})),
    spawner: spawnerSection.default(spawnerSection.parse({})),
    auth: authSection.default(authSection.parse({})),
    proxy: proxySection.default(proxySection.parse({})),
    course: courseSection.default(courseSection.parse({})),
    exchange: exchangeSection.default(exchangeSection.parse({})),
    https: httpsSection.default(httpsSection.parse({})),
    services: servicesSection,
  })
  .strict()
  .superRefine((config, context) => {
    // Three listeners on three ports: the proxy (hub.port), the hub behind it (hub.hubPort) and
    // the proxy's API (proxy.apiPort). Two on one port fail with EADDRINUSE after the first has
    // started; say so before anything starts. (0 means "any free port" and never clashes.)
    const { port, hubPort } = config.hub;
    const { apiPort } = config.proxy;
    const clash = (path: [string, string], value: number, other: string) =>
      context.addIssue({
        code: 'custom',
        path,
        message: `${value} is also ${other}: the proxy listens on hub.port, the hub behind it on hub.hubPort and the proxy's API on proxy.apiPort, so each needs a port of its own`,
      });
    if (hubPort !== 0 && hubPort === port) clash(['hub', 'hubPort'], hubPort, 'hub.port');
    if (apiPort === port) clash(['proxy', 'apiPort'], apiPort, 'hub.port');
    else if (apiPort !== 0 && apiPort === hubPort) clash(['proxy', 'apiPort'], apiPort, 'hub.hubPort');
    const { redirectPort } = config.https;
    if (redirectPort !== 0 && [port, hubPort, apiPort].includes(redirectPort))
      clash(['https', 'redirectPort'], redirectPort, 'hub.port, hub.hubPort or proxy.apiPort');
  });

export type CoursehubConfig = z.infer<typeof configSchema>;
