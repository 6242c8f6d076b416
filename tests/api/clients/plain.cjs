// Contentful's JS SDK (plain API), unchanged, against tokentui serve: prints one JSON line of results.
const contentful = require('contentful-management')
const [host, secret, orgId, readSecret] = process.argv.slice(2)
const client = contentful.createClient({ accessToken: secret, host, insecure: true, retryLimit: 3 }, { type: 'plain' })
;(async () => {
  const out = {}
  const made = await client.accessToken.createPersonalAccessToken({ name: 'js sdk', scopes: ['content_management_manage'], expiresIn: 3600 })
  out.created = { name: made.name, hasSecret: typeof made.token === 'string', expiresAt: made.sys.expiresAt }
  const page = await client.accessToken.getMany({ query: { limit: 1, skip: 0 } })
  out.page = { total: page.total, items: page.items.length, limit: page.limit }
  out.got = (await client.accessToken.get({ tokenId: made.sys.id })).name
  out.revoked = (await client.accessToken.revoke({ tokenId: made.sys.id })).revokedAt !== null
  out.org = (await client.accessToken.getManyForOrganization({ organizationId: orgId, query: { limit: 5 } })).total
  try { await client.accessToken.get({ tokenId: 'nosuchtoken' }) } catch (e) { out.notFound = e.name }
  const oauth = await client.accessToken.getMany({ query: { 'sys.type[in]': 'OAuthApplication' } })
  out.filtered = oauth.items.map((t) => t.sys.type)
  const members = await client.organizationMembership.getMany({ organizationId: orgId, query: { limit: 100 } })
  out.memberRoles = [...new Set(members.items.map((m) => m.role))].sort()
  const errorOf = async (call) => { try { await call(); return 'none' } catch (e) { return `${e.name} ${JSON.parse(e.message).status}` } }
  const stranger = contentful.createClient({ accessToken: 'CFPAT-not-a-token', host, insecure: true, retryLimit: 0 }, { type: 'plain' })
  out.unauthorized = await errorOf(() => stranger.accessToken.getMany({}))
  const reader = contentful.createClient({ accessToken: readSecret, host, insecure: true, retryLimit: 0 }, { type: 'plain' })
  out.forbidden = await errorOf(() => reader.accessToken.createPersonalAccessToken({ name: 'no', scopes: ['content_management_read'] }))
  out.invalid = await errorOf(() => client.accessToken.createPersonalAccessToken({ name: '', scopes: ['content_management_read'] }))
  try { await client.accessToken.createPersonalAccessToken({ name: 'x', scopes: ['no_such_scope'] }) } catch (e) { out.invalidPath = JSON.parse(e.message).details.errors.map((d) => d.path) }
  // Past the rate limit the SDK's retry waits out the 429 and every call still succeeds.
  const many = await Promise.all(Array.from({ length: 12 }, () => client.user.getCurrent()))
  out.afterRetry = many.filter((u) => u.email).length
  console.log(JSON.stringify(out))
})().catch((e) => { console.log(JSON.stringify({ error: String(e && e.message) })); process.exit(1) })
