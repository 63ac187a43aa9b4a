FROM node:20-bookworm-slim
WORKDIR /app
COPY package.json package-lock.json ./
# `npm install` against the lock: see .ci/run for why not `npm ci`.
RUN npm install --no-audit --no-fund
COPY . .
# Compiled JavaScript and a prebuilt workflow bundle: the worker starts without tsx or webpack.
RUN npm run build
ENV NODE_ENV=production
# node itself as the process (not npm or tsx as a parent): a signal to the container reaches the
# worker, and a SIGKILL leaves no orphaned worker polling.
CMD ["node", "dist/src/worker.js"]
