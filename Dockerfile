FROM node:20-bookworm-slim
WORKDIR /app
COPY package.json package-lock.json ./
# `npm install` against the lock: see .ci/run for why not `npm ci`.
RUN npm install --no-audit --no-fund
COPY . .
# The worker and the command line run from the TypeScript sources with tsx.
ENV NODE_ENV=production
CMD ["npm", "run", "worker"]
