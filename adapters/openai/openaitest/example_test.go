package openaitest_test

import (
	"context"
	"fmt"
	"time"

	goopenai "github.com/sashabaranov/go-openai"

	"github.com/callaudit/callaudit/adapters/openai/openaitest"
)

// Scripting answers and failures for a test of your own client code.
func ExampleNewServer() {
	srv := openaitest.NewServer(openaitest.WithDelay(10 * time.Millisecond))
	defer srv.Close()
	srv.SetChat(func(call *openaitest.ChatCall) openaitest.ChatReply {
		return openaitest.ChatReply{Content: "Hello from the fake, " + call.Model}
	})
	srv.Fail(openaitest.Fault{Status: 429, RetryAfter: "1"})

	cc := goopenai.DefaultConfig(srv.APIKey)
	cc.BaseURL = srv.URL
	c := goopenai.NewClientWithConfig(cc)
	req := goopenai.ChatCompletionRequest{Model: "gpt-4o-mini", Messages: []goopenai.ChatCompletionMessage{{Role: "user", Content: "hi"}}}

	_, err := c.CreateChatCompletion(context.Background(), req)
	fmt.Println(err != nil)
	resp, err := c.CreateChatCompletion(context.Background(), req)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(resp.Choices[0].Message.Content)
	for _, r := range srv.Requests() {
		fmt.Println(r.Path, r.Status)
	}
	// Output:
	// true
	// Hello from the fake, gpt-4o-mini
	// /v1/chat/completions 429
	// /v1/chat/completions 200
}
